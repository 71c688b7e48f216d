// Statehouse as built from src/, plus bench-only hooks that stay off the command path:
// SQL row counting for every statement, DO request counting, journal seeding and eviction (W3).
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { loadConfig } from "../../src/config/index.js";
import worker, { EntityObject as StatehouseEntity } from "../../src/index.js";
import type { CommandInput } from "../../src/entity/rpc-types.js";
import { countSql, settleSqlTotals } from "./sql-counter.js";

const counts = { processCommand: 0, alarms: 0, constructed: 0 };
/** D1 statements the read side ran (and the rows D1 reported for those that report them). */
const d1 = { queries: 0, rowsRead: 0, rowsWritten: 0 };
const counted = new WeakMap<object, Env>();
/**
 * What the queue handed the consumer: batches (queue() calls), messages, entity groups (distinct
 * entities of a batch's delivery messages) and events (per group, the revision span its messages
 * cover). events / groups = events per entity per batch, the figure cursor writes amortise over.
 */
const batches = { batches: 0, messages: 0, groups: 0, events: 0 };

function tallyBatch(batch: MessageBatch): void {
  batches.batches++;
  batches.messages += batch.messages.length;
  const spans = new Map<string, [number, number]>();
  for (const m of batch.messages) {
    const b = m.body as { entityId?: unknown; fromRevision?: unknown; toRevision?: unknown } | null;
    if (typeof b?.entityId !== "string" || typeof b.fromRevision !== "number" || typeof b.toRevision !== "number") continue;
    const s = spans.get(b.entityId);
    spans.set(b.entityId, s === undefined ? [b.fromRevision, b.toRevision] : [Math.min(s[0], b.fromRevision), Math.max(s[1], b.toRevision)]);
  }
  batches.groups += spans.size;
  for (const [from, to] of spans.values()) batches.events += Math.max(0, to - from + 1);
}

type D1Meta = { meta?: { rows_read?: number; rows_written?: number } };
function tally(r: unknown): void {
  const m = (r as D1Meta | null)?.meta;
  d1.rowsRead += m?.rows_read ?? 0;
  d1.rowsWritten += m?.rows_written ?? 0;
}

/** The env with DB wrapped so every D1 statement is counted. */
function countingEnv(env: Env): Env {
  let e = counted.get(env);
  if (e !== undefined) return e;
  const db = env.DB;
  const wrapStmt = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== "function") return v;
        if (prop === "bind") return (...args: unknown[]) => wrapStmt((v as (...a: unknown[]) => D1PreparedStatement).apply(target, args));
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return async (...args: unknown[]) => {
            d1.queries++;
            const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            tally(r);
            return r;
          };
        }
        return (v as (...a: unknown[]) => unknown).bind(target);
      },
    });
  const wrapped = new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === "prepare") return (q: string) => wrapStmt(target.prepare(q));
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          d1.queries += stmts.length;
          const rs = await target.batch(stmts);
          rs.forEach(tally);
          return rs;
        };
      }
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  e = { ...env, DB: wrapped };
  counted.set(env, e);
  return e;
}

interface JournalLike {
  append(rows: { revision: number; event: Uint8Array; state: Uint8Array; meta: Uint8Array }[], prior: number, opts: object): void;
}

/** EntityObject with counters and W3's seeding and eviction hooks; the command path is the parent's. */
export class EntityObject extends StatehouseEntity {
  constructor(ctx: DurableObjectState, env: Env) {
    countSql(ctx.storage);
    super(ctx, env);
    counts.constructed++;
  }

  override processCommand(input: CommandInput) {
    counts.processCommand++;
    return super.processCommand(input);
  }

  override async alarm(): Promise<void> {
    counts.alarms++;
    return super.alarm();
  }

  /** Writes `n` events through the journal store's own append (snapshots included), as commands would. */
  async benchSeed(entityId: string, n: number, size: number): Promise<number> {
    const config = loadConfig(this.env);
    const journal = (this as unknown as { journal: JournalLike }).journal;
    const payload = toBinary(AnySchema, create(AnySchema, { typeUrl: "type.googleapis.com/bench.v1.Payload", value: new Uint8Array(size).fill(7) }));
    const date = timestampFromMs(Date.now());
    const chunk = 1000;
    for (let from = 1; from <= n; from += chunk) {
      const rows = [];
      for (let r = from; r < Math.min(from + chunk, n + 1); r++) {
        rows.push({ revision: r, event: payload, state: payload, meta: toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: r, revisionDate: date })) });
      }
      journal.append(rows, from - 1, {
        published: n,
        snapshotFrequency: config.snapshotFrequency,
        snapshotsToRetain: config.snapshotsToRetain,
      });
    }
    await this.ctx.storage.sync();
    return n;
  }

  /** Evicts this object (its next call runs the constructor again, SQLite intact). */
  async benchEvict(): Promise<void> {
    await this.ctx.storage.sync();
    this.ctx.abort("bench eviction");
  }
}

const base = worker as ExportedHandler<Env>;

export default {
  ...worker,
  ...(base.queue === undefined
    ? {}
    : {
        queue(batch: MessageBatch, env: Env, ctx: ExecutionContext) {
          tallyBatch(batch);
          return base.queue!(batch, countingEnv(env), ctx);
        },
      }),
  async fetch(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(req.url);
    if (!url.pathname.startsWith("/__bench/")) return worker.fetch(req, env, ctx);
    const id = url.searchParams.get("id") ?? "";
    const stub = () => env.ENTITY.get(env.ENTITY.idFromName(id)) as unknown as DurableObjectStub<EntityObject>;
    switch (url.pathname) {
      case "/__bench/counters":
        return Response.json({ ...counts, sql: settleSqlTotals(), d1, queue: batches });
      case "/__bench/rowcounts":
        return Response.json(await stub().rowCounts());
      case "/__bench/seed":
        return Response.json({ seeded: await stub().benchSeed(id, Number(url.searchParams.get("n")), Number(url.searchParams.get("size") ?? 100)) });
      case "/__bench/evict":
        try {
          await stub().benchEvict();
        } catch (cause) {
          // The abort rejects the call that caused it: that is the eviction succeeding.
          if (!(cause instanceof Error && /bench eviction|reset|abort/i.test(cause.message))) throw cause;
        }
        return Response.json({ evicted: id });
      case "/__bench/direct": {
        // The command straight to the object's RPC, skipping hono and Connect: the front door's share.
        const command = new Uint8Array(await req.arrayBuffer());
        const result = await stub().processCommand({ entityId: id, command, propagatedHeaders: [], persistedHeaders: [] });
        if (!result.ok) return Response.json(result.error, { status: 500 });
        return new Response(result.value.state, { headers: { "content-type": "application/proto" } });
      }
      default:
        return new Response("no such bench route", { status: 404 });
    }
  },
} as ExportedHandler<Env>;
