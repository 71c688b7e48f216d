// Statehouse as built from src/, plus bench-only hooks that stay off the command path:
// SQL row counting for every statement, DO request counting, journal seeding and eviction (W3).
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { loadConfig } from "../../src/config/index.js";
import worker, { EntityObject as StatehouseEntity, LogHub as StatehouseLogHub, SubscriptionObject as StatehouseSubscriptionObject } from "../../src/index.js";
import type { CommandInput } from "../../src/entity/rpc-types.js";
import { countSql, settleSqlTotals } from "./sql-counter.js";
import { type CursorUpdate, createCursorStore, cursorId, freshCursor } from "../../src/cursors/index.js";

const counts = { processCommand: 0, alarms: 0, constructed: 0 };
/**
 * Durable Object requests the stream paths make (each billed as one request): WebSocket upgrades
 * to an entity, to a subscription object and to the LogHub, the entity RPCs a subscription's start
 * and catch-up use, and LogHub publishes (with the sockets each reached).
 */
const streams = { entityUpgrades: 0, entityReads: 0, subscriptionUpgrades: 0, logHubUpgrades: 0, logPublishes: 0, logPublishSockets: 0 };
/** D1 statements the read side ran (and the rows D1 reported for those that report them). */
const d1 = { queries: 0, rowsRead: 0, rowsWritten: 0 };
type TableTally = { queries: number; rowsRead: number; rowsWritten: number };
/** The same, by the table a statement writes (`log` = sh_log appends, `cursor` = sh_cursor upserts, `entity` = the entity index), `other` for the rest (reads). */
const d1ByTable: Record<"log" | "cursor" | "entity" | "other", TableTally> = {
  log: { queries: 0, rowsRead: 0, rowsWritten: 0 },
  cursor: { queries: 0, rowsRead: 0, rowsWritten: 0 },
  entity: { queries: 0, rowsRead: 0, rowsWritten: 0 },
  other: { queries: 0, rowsRead: 0, rowsWritten: 0 },
};
function tableOf(sql: string): keyof typeof d1ByTable {
  const m = /^\s*INSERT\s+INTO\s+(\w+)/i.exec(sql);
  if (m?.[1] === "sh_log") return "log";
  if (m?.[1] === "sh_cursor") return "cursor";
  if (m?.[1] === "sh_entity") return "entity";
  return "other";
}
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
function tally(r: unknown, table: keyof typeof d1ByTable): void {
  const m = (r as D1Meta | null)?.meta;
  d1.rowsRead += m?.rows_read ?? 0;
  d1.rowsWritten += m?.rows_written ?? 0;
  const t = d1ByTable[table];
  t.queries++;
  t.rowsRead += m?.rows_read ?? 0;
  t.rowsWritten += m?.rows_written ?? 0;
}
/** The table of each wrapped statement, for batches. */
const statementTable = new WeakMap<object, keyof typeof d1ByTable>();

/** The env with DB wrapped so every D1 statement is counted. */
function countingEnv(env: Env): Env {
  let e = counted.get(env);
  if (e !== undefined) return e;
  const db = env.DB;
  const wrapStmt = (stmt: D1PreparedStatement, table: keyof typeof d1ByTable): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== "function") return v;
        if (prop === "bind") return (...args: unknown[]) => wrapStmt((v as (...a: unknown[]) => D1PreparedStatement).apply(target, args), table);
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return async (...args: unknown[]) => {
            d1.queries++;
            const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            tally(r, table);
            return r;
          };
        }
        return (v as (...a: unknown[]) => unknown).bind(target);
      },
    });
    statementTable.set(proxy, table);
    return proxy;
  };
  const wrapped = new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === "prepare") return (q: string) => wrapStmt(target.prepare(q), tableOf(q));
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          d1.queries += stmts.length;
          const rs = await target.batch(stmts);
          rs.forEach((r, i) => tally(r, statementTable.get(stmts[i] as object) ?? "other"));
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

  override async fetch(request: Request): Promise<Response> {
    streams.entityUpgrades++;
    return super.fetch(request);
  }

  override readJournal(input: Parameters<StatehouseEntity["readJournal"]>[0]) {
    streams.entityReads++;
    return super.readJournal(input);
  }

  override headRevision() {
    streams.entityReads++;
    return super.headRevision();
  }

  override getState(input: Parameters<StatehouseEntity["getState"]>[0]) {
    streams.entityReads++;
    return super.getState(input);
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

/** SubscriptionObject with a count of the WebSocket upgrades it accepts. */
export class SubscriptionObject extends StatehouseSubscriptionObject {
  override async fetch(request: Request): Promise<Response> {
    streams.subscriptionUpgrades++;
    return super.fetch(request);
  }
}

/** LogHub with counts of upgrades and publishes. */
export class LogHub extends StatehouseLogHub {
  override async fetch(request: Request): Promise<Response> {
    streams.logHubUpgrades++;
    return super.fetch(request);
  }

  override async publish(message: Uint8Array): Promise<number> {
    streams.logPublishes++;
    const n = await super.publish(message);
    streams.logPublishSockets += n;
    return n;
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
        return Response.json({ ...counts, sql: settleSqlTotals(), d1, d1ByTable, queue: batches, streams });
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
      case "/__bench/d1-capacity":
        return Response.json(await d1Capacity(env.DB, Number(url.searchParams.get("batches")), Number(url.searchParams.get("entities")), Number(url.searchParams.get("sides"))));
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

/**
 * D1 headroom for the read side: the consumer's own D1 round trips (load, then a compare-and-set
 * commit of every pair) for `batches` synthetic batches of `entities` entities × `sides` read
 * sides, each batch moving every cursor by one event, back to back. No handler calls, no journal
 * reads: what one D1 database alone allows. The read sides are disabled, so a late message never
 * sends the consumer to their (unreachable) URL.
 */
async function d1Capacity(db: D1Database, batches: number, entities: number, sides: number) {
  const store = createCursorStore(db);
  const ids = Array.from({ length: sides }, (_, i) => `cap-${i}`);
  const now = Date.now();
  await db.batch(
    ids.map((id) =>
      db
        .prepare(
          `INSERT OR REPLACE INTO sh_read_side (id, url, protocol, timeout_ms, policy, retries, backoff_ms, enabled, paused, event_types, source, created_at, updated_at, started_at, generation)
           VALUES (?, 'https://capacity.invalid', 'connect', 1000, 'STOP', 0, 1000, 0, 0, '[]', 'api', ?, ?, ?, 'cap')`,
        )
        .bind(id, now, now, now),
    ),
  );
  const entityIds = Array.from({ length: entities }, (_, j) => `cap-entity-${j}`);
  const t0 = performance.now();
  let statements = 0;
  for (let b = 1; b <= batches; b++) {
    const heads = entityIds.map((entityId) => ({ entityId, shard: 0, head: b }));
    const positions = await store.load(heads, Date.now());
    statements += 3;
    const updates: CursorUpdate[] = [];
    for (const entityId of entityIds) {
      for (const readSideId of ids) {
        const from = positions.cursors.get(cursorId(readSideId, entityId)) ?? freshCursor("cap");
        updates.push({ key: { readSideId, entityId, shard: 0 }, from, revision: b, status: "ok", attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 });
      }
    }
    const { applied } = await store.commit(updates, [], [], Date.now());
    statements += 1;
    if (applied.size !== updates.length) throw new Error(`capacity: ${updates.length - applied.size} cursor writes did not apply`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await db.batch([
    db.prepare("DELETE FROM sh_cursor WHERE generation = 'cap'"),
    db.prepare("DELETE FROM sh_entity WHERE entity_id LIKE 'cap-entity-%'"),
    db.prepare("DELETE FROM sh_read_side WHERE generation = 'cap'"),
  ]);
  return { batches, entities, sides, seconds, batchesPerSecond: batches / seconds, eventsPerSecond: (batches * entities) / seconds, queriesPerSecond: statements / seconds };
}
