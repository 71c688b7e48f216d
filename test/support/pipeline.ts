// Shared fixtures for tests of the event pipeline: run the real queue() on composed batches, look into a partition's store, fault a binding.
import { createExecutionContext, createMessageBatch, env, getQueueResult, runInDurableObject } from "cloudflare:test";
import worker from "../../src/index.js";
import type { PartitionObject } from "../../src/partition/index.js";
import { createPartitions } from "../../src/partition/index.js";
import { servicesOf } from "../../src/services.js";

export const EVENTS_QUEUE = "statehouse-events";
export const DEAD_LETTER_QUEUE = "statehouse-events-dlq";
let msgId = 0;

/** The partitions of `e` (its own STATEHOUSE_PARTITIONS and COS_NUM_SHARDS). */
export function partitionsOf(e: Env = env) {
  return createPartitions(e.PARTITION, Number(e.COS_NUM_SHARDS ?? 16), Number(e.STATEHOUSE_PARTITIONS ?? 1));
}

/** The store of an entity's partition. */
export function storeOf(entityId: string, e: Env = env): DurableObjectStub<PartitionObject> {
  const p = partitionsOf(e);
  return p.store(p.partitionOf(entityId));
}

/** The read side context the Worker builds for `e`. */
export function readSidesOf(e: Env = env) {
  return servicesOf(e).readSides;
}

/**
 * Runs the real Worker's queue() on a batch of `bodies` with `e` (possibly with a fault injected
 * into a binding); each retry's delay is recorded on the way through.
 */
export async function consume(bodies: unknown[], e: Env = env, queue = EVENTS_QUEUE, attempts = 1) {
  const batch = createMessageBatch(queue, bodies.map((body) => ({ id: `m${++msgId}`, timestamp: new Date(), attempts, body })));
  const delays: (number | undefined)[] = [];
  const messages = batch.messages.map(
    (m) =>
      new Proxy(m, {
        get(target, prop) {
          if (prop === "retry") return (opts?: QueueRetryOptions) => (delays.push(opts?.delaySeconds), target.retry(opts));
          return bound(target, prop);
        },
      }),
  );
  const recorded = new Proxy(batch, {
    get(target, prop) {
      if (prop === "messages") return messages;
      if (prop === "retryAll") return (opts?: QueueRetryOptions) => (messages.forEach(() => delays.push(opts?.delaySeconds)), target.retryAll(opts));
      return bound(target, prop);
    },
  });
  const ctx = createExecutionContext();
  await worker.queue(recorded, e, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

/** A cursor as a partition holds it, for the read side's current generation (undefined: none). */
export interface CursorRow {
  revision: number;
  status: string;
  epoch: number;
  generation: string;
  failedRevision: number;
  lastError: string | null;
  retryAt: number;
}

/** The current generation of a read side in the control plane. */
export async function generationOf(side: string): Promise<string | undefined> {
  return (await env.DB.prepare("SELECT generation FROM sh_read_side WHERE id = ?").bind(side).first<{ generation: string }>())?.generation;
}

/** The cursor `side` holds for `entity` in the entity's partition, read from the store's own row. */
export async function cursorOf(side: string, entity: string): Promise<CursorRow | undefined> {
  const generation = await generationOf(side);
  const row = await entityRow(entity);
  const c = row?.cursors[side];
  if (c === undefined || c.g !== generation) return undefined;
  return { revision: c.r, status: c.s ?? "ok", epoch: c.e ?? 0, generation: c.g, failedRevision: c.f ?? 0, lastError: c.m ?? null, retryAt: c.t ?? 0 };
}

type CursorJson = { g: string; e?: number; r: number; s?: string; a?: number; f?: number; t?: number; u: number; m?: string; x?: number };

/** An entity's row in its partition (index head and every cursor), or undefined. */
export async function entityRow(entity: string): Promise<{ head: number; shard: number; cursors: Record<string, CursorJson> } | undefined> {
  return runInDurableObject(storeOf(entity), (_o, state) => {
    const row = state.storage.sql.exec<{ head: number; shard: number; cursors: string }>("SELECT head, shard, cursors FROM p_entity WHERE entity_id = ?", entity).toArray()[0];
    return row === undefined ? undefined : { head: row.head, shard: row.shard, cursors: JSON.parse(row.cursors) as Record<string, CursorJson> };
  });
}

/** The head the entity index knows for an entity. */
export async function indexHead(entity: string): Promise<number | undefined> {
  return (await entityRow(entity))?.head;
}

/** The revisions `side` parked for `entity`. */
export async function parkedOf(side: string, entity: string): Promise<number[]> {
  return (await storeOf(entity).listParked(side, { entityId: entity, limit: 1000 })).map((p) => p.revision);
}

/** Changes an entity's row in its partition with SQL (`?1` is the entity id), as a fault or a lost write would leave it. */
export async function editEntityRow(entity: string, sql: string, ...params: unknown[]): Promise<void> {
  await runInDurableObject(storeOf(entity), (_o, state) => {
    state.storage.sql.exec(sql, entity, ...params);
  });
}

/** Sets a cursor in the entity's partition directly (a lost message, a stale write), keeping the other read sides'. */
export async function setCursor(side: string, entity: string, cursor: Partial<CursorJson>): Promise<void> {
  const generation = await generationOf(side);
  await runInDurableObject(storeOf(entity), (_o, state) => {
    const sql = state.storage.sql;
    const row = sql.exec<{ cursors: string }>("SELECT cursors FROM p_entity WHERE entity_id = ?", entity).toArray()[0];
    const cursors = JSON.parse(row?.cursors ?? "{}") as Record<string, CursorJson>;
    cursors[side] = { g: generation ?? "", r: 0, u: Date.now(), ...cursors[side], ...cursor };
    if (row === undefined) {
      sql.exec("INSERT INTO p_entity (entity_id, shard, head, cursors, updated_at) VALUES (?, ?, 0, ?, ?)", entity, partitionsOf().shardOf(entity), JSON.stringify(cursors), Date.now());
    } else {
      sql.exec("UPDATE p_entity SET cursors = ? WHERE entity_id = ?", JSON.stringify(cursors), entity);
    }
    const c = cursors[side] as CursorJson;
    if (c.s !== undefined) {
      sql.exec(
        "INSERT INTO p_failing (read_side_id, entity_id, shard, status, retry_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (read_side_id, entity_id) DO UPDATE SET status = ?4, retry_at = ?5",
        side,
        entity,
        partitionsOf().shardOf(entity),
        c.s,
        c.t ?? 0,
      );
    }
  });
}

/** Changes read side definitions in the control plane with SQL, then tells every partition (as the manager does after its writes). */
export async function editReadSides(sql: string, ...params: unknown[]): Promise<void> {
  await env.DB.prepare(sql)
    .bind(...params)
    .run();
  await refreshPartitions();
}

/** Makes every partition forget its copy of the read side definitions. */
export async function refreshPartitions(e: Env = env): Promise<void> {
  const p = partitionsOf(e);
  await Promise.all(p.all.map((i) => p.store(i).refreshReadSides()));
}

/**
 * `e` with its partition stores wrapped: `around(method, partition, call)` decides what each RPC
 * does (run it, fail it, hold it back), so a test can fault one partition or race one step.
 */
export function withPartitionHook(
  around: (method: string, partition: number, call: () => Promise<unknown>) => Promise<unknown>,
  e: Env = env,
): Env {
  const partitions = partitionsOf(e);
  const names = new Map(partitions.all.map((p) => [e.PARTITION.idFromName(`partition-${p}`).toString(), p]));
  const ns = new Proxy(e.PARTITION, {
    get(target, prop) {
      if (prop !== "get") return bound(target, prop);
      return (id: DurableObjectId) => {
        const stub = target.get(id);
        const partition = names.get(id.toString()) ?? -1;
        const calls = stub as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
        return new Proxy(stub, {
          get(s, method) {
            if (typeof method !== "string" || method === "then" || method === "fetch") return Reflect.get(s, method, s) as unknown;
            return (...args: unknown[]) => around(method, partition, () => calls[method]?.(...args) as Promise<unknown>);
          },
        });
      };
    },
  });
  return { ...e, PARTITION: ns } as Env;
}

/** An env whose events queues record what would be sent instead of sending it. */
export function capturingEnv(e: Env = env): { e: Env; sent: any[] } {
  const sent: any[] = [];
  const queue = {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (msgs: { body: unknown }[]) => void sent.push(...msgs.map((m) => m.body)),
  };
  const queues = Object.fromEntries(partitionsOf(e).all.map((p) => [p === 0 ? "EVENTS" : `EVENTS_${p}`, queue]));
  return { e: { ...e, ...queues } as unknown as Env, sent };
}

function bound(target: object, prop: string | symbol): unknown {
  const v = Reflect.get(target, prop, target) as unknown;
  return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
}

/** Every entry of the log (all partitions, from the oldest retained), as the log's API reads it. */
export async function logEntries(e: Env = env) {
  const log = servicesOf(e).eventLog;
  const all = [];
  for (let from: string | undefined; ; ) {
    const page = await log.read({ from, limit: 1000 });
    all.push(...page.entries.map((x) => x.entry));
    if (page.entries.length === 0 || page.next === from) return all;
    from = page.next;
  }
}

/** The `$log` read side's current generation. */
export async function logGeneration(): Promise<string> {
  return (await generationOf("$log")) ?? "";
}

/**
 * What the `$log` pair's delivery commits for `entityId`: rows `rows` after a cursor at (epoch,
 * fromRevision), as the consumer would send it to the entity's partition, with `now` as its clock.
 */
export async function commitLogRows(
  entityId: string,
  generation: string,
  epoch: number,
  rows: { revision: number; eventType: string; eskit?: boolean; event: Uint8Array | undefined; meta: Uint8Array; state: Uint8Array | undefined }[],
  now = Date.now(),
) {
  const shard = partitionsOf().shardOf(entityId);
  const fromRevision = (rows[0]?.revision ?? 1) - 1;
  const cursor = { generation, epoch, revision: fromRevision, status: "ok" as const, attempts: 0, retryAt: 0, restartedAt: 0 };
  const update = {
    key: { readSideId: "$log", entityId, shard },
    from: cursor,
    revision: rows.at(-1)?.revision ?? fromRevision,
    status: "ok" as const,
    attempts: 0,
    failedRevision: 0,
    lastError: null,
    retryAt: 0,
  };
  const append = { entityId, shard, generation, epoch, fromRevision, rows: rows.map((r) => ({ entityId, ...r })) };
  return storeOf(entityId).commit({ updates: [update], parked: [], heads: [], appends: [append], now });
}
