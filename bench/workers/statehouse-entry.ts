// Statehouse as built from src/, plus bench-only hooks that stay off the command path: SQL row counting
// for every statement of every object, D1 counting, DO request counting, journal seeding and eviction (W3),
// the partition store's headroom, and the archive step's log builder (R2 calls counted).
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { loadConfig } from "../../src/config/index.js";
import worker, {
  EntityObject as StatehouseEntity,
  LogHub as StatehouseLogHub,
  PartitionObject as StatehousePartition,
  SubscriptionObject as StatehouseSubscriptionObject,
} from "../../src/index.js";
import { servicesOf } from "../../src/services.js";
import type { CommandInput } from "../../src/entity/rpc-types.js";
import { countSql, createSqlTally, settleSqlTotals, writtenTable } from "./sql-counter.js";
import { countingEnv, d1Totals } from "./d1-counter.js";
import { runCapacity, warmCapacity } from "./partition-capacity.js";
import { buildArchiveLog, warmArchiveLog } from "./archive-build.js";
import { r2Totals } from "./r2-counter.js";

const counts = { processCommand: 0, alarms: 0, constructed: 0 };
/**
 * Durable Object requests the stream paths make (each billed as one request): WebSocket upgrades
 * to an entity, to a subscription object and to the LogHub, the entity RPCs a subscription's start
 * and catch-up use (and the consumer's journal reads), and LogHub publishes (with the sockets each reached).
 */
const streams = { entityUpgrades: 0, entityReads: 0, subscriptionUpgrades: 0, logHubUpgrades: 0, logPublishes: 0, logPublishSockets: 0 };
/**
 * What the queue handed the consumer: batches (queue() calls), messages, entity groups (distinct
 * entities of a batch's delivery messages) and events (per group, the revision span its messages
 * cover). events / groups = events per entity per batch, the figure entity rows amortise over.
 */
const batches = { batches: 0, messages: 0, groups: 0, events: 0 };
/** Every SQL statement the PartitionObjects ran, by bucket (partitionBucket). */
const partitionSql = createSqlTally();
/** RPCs (and alarms) the PartitionObjects served, by method. */
const partitionRequests: Record<string, number> = {};

/**
 * A partition statement's bucket: the table it writes, with the entity index's inserts of new
 * entities (the load's `DO NOTHING` insert) apart from the rows a commit writes back.
 */
function partitionBucket(query: string): string {
  const table = writtenTable(query);
  return table === "p_entity" && /DO\s+NOTHING/i.test(query) ? "p_entity (new entities)" : table;
}

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

interface JournalLike {
  append(rows: { revision: number; event: Uint8Array; state: Uint8Array; meta: Uint8Array }[], prior: number, opts: object): void;
}

/** EntityObject with counters and W3's seeding and eviction hooks; the command path is the parent's. */
export class EntityObject extends StatehouseEntity {
  constructor(ctx: DurableObjectState, env: Env) {
    countSql(ctx.storage);
    super(ctx, countingEnv(env));
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

/** PartitionObject with every SQL statement counted by bucket; its requests are counted below, by method. */
export class PartitionObject extends StatehousePartition {
  constructor(ctx: DurableObjectState, env: Env) {
    countSql(ctx.storage, partitionSql, partitionBucket);
    super(ctx, countingEnv(env));
  }
}

/** The names of T's public methods (the runtime's `__…` brands are not methods). */
type PublicMethod<T> = { [K in Exclude<Extract<keyof T, string>, `__${string}`>]: T[K] extends (...args: never[]) => unknown ? K : never }[Exclude<Extract<keyof T, string>, `__${string}`>];
/** Every public method of PartitionObject: each is an RPC (or the alarm), and each is billed as a Durable Object request. */
const PARTITION_METHODS = [
  "load", "commit", "refreshReadSides", "forgetReadSide", "cursors", "summary", "offsetsByShard", "restart", "retryFailing",
  "skipFailing", "dueRetries", "lowWater", "behind", "findEntities", "probePage", "advanceProbe", "raiseHeads", "listParked", "getParked",
  "removeParked", "touchParked", "readLog", "logBounds", "trimLog", "listDocs", "sealShard", "exportShard", "releaseShard",
  "ensureShards", "alarm", "metrics", "logTiers",
] as const satisfies readonly PublicMethod<StatehousePartition>[];
/** A public method added to PartitionObject and missing above fails the bench's typecheck here. */
type Uncounted = Exclude<PublicMethod<StatehousePartition>, (typeof PARTITION_METHODS)[number]>;
const everyMethodCounted: [Uncounted] extends [never] ? true : Uncounted = true;
void everyMethodCounted;
// Methods defined on the subclass's prototype, as a class body would: workerd dispatches RPCs to them.
for (const name of PARTITION_METHODS) {
  const base = StatehousePartition.prototype[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(PartitionObject.prototype, name, {
    configurable: true,
    writable: true,
    value: function (this: PartitionObject, ...args: unknown[]) {
      partitionRequests[name] = (partitionRequests[name] ?? 0) + 1;
      return base.apply(this, args);
    },
  });
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
  queue(batch: MessageBatch, env: Env, ctx: ExecutionContext) {
    tallyBatch(batch);
    return base.queue!(batch, countingEnv(env), ctx);
  },
  scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    return base.scheduled!(controller, countingEnv(env), ctx);
  },
  async fetch(req: Request, rawEnv: Env, ctx: ExecutionContext): Promise<Response> {
    const env = countingEnv(rawEnv);
    const url = new URL(req.url);
    if (!url.pathname.startsWith("/__bench/")) return worker.fetch(req, env, ctx);
    const id = url.searchParams.get("id") ?? "";
    const num = (name: string, fallback?: number) => Number(url.searchParams.get(name) ?? fallback);
    const stub = () => env.ENTITY.get(env.ENTITY.idFromName(id)) as unknown as DurableObjectStub<EntityObject>;
    switch (url.pathname) {
      case "/__bench/counters":
        return Response.json({ ...counts, sql: settleSqlTotals(), partition: { sql: partitionSql, requests: partitionRequests }, d1: d1Totals, r2: r2Totals, queue: batches, streams });
      case "/__bench/rowcounts":
        return Response.json(await stub().rowCounts());
      case "/__bench/seed":
        return Response.json({ seeded: await stub().benchSeed(id, num("n"), num("size", 100)) });
      case "/__bench/evict":
        try {
          await stub().benchEvict();
        } catch (cause) {
          // The abort rejects the call that caused it: that is the eviction succeeding.
          if (!(cause instanceof Error && /bench eviction|reset|abort/i.test(cause.message))) throw cause;
        }
        return Response.json({ evicted: id });
      case "/__bench/partition-capacity": {
        // The capacity read sides are declared (disabled) in this Worker's STATEHOUSE_READ_SIDES.
        const services = servicesOf(env);
        await services.readSides.syncDeclared();
        const req = { batches: num("batches"), entities: num("entities"), sides: num("sides"), partitions: num("partitions", 1), first: num("first", 0), run: url.searchParams.get("run") ?? "" };
        // Two calls, so that the runner's CPU readings around the second cover the loop alone.
        if (url.searchParams.get("phase") === "warm") return Response.json({ warmupS: await warmCapacity(services.partitions, req) });
        return Response.json(await runCapacity(services.partitions, req));
      }
      case "/__bench/archive-build": {
        // The archive step (bench/src/archive.ts): partition 0's log built through the consumer's load and commit.
        const services = servicesOf(env);
        const entities = num("entities");
        const run = url.searchParams.get("run") ?? "";
        if (url.searchParams.get("phase") === "warm") {
          await warmArchiveLog(services.partitions, entities, run);
          return Response.json({ warm: true });
        }
        const req = { batches: num("batches"), entities, perEntity: num("per"), first: num("first"), run, hotMax: services.config.log.hotMaxEntries, budgetMs: num("budget", 30_000) };
        return Response.json(await buildArchiveLog(services.partitions, req));
      }
      case "/__bench/log-tiers":
        // Partition 0's log: entries hot in its store, head, oldest retained, oldest hot (the archive holds first … hotFirst − 1).
        return Response.json(await servicesOf(env).partitions.store(0).logTiers());
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
