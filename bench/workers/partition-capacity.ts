// The partition store's headroom: the consumer's two store calls alone (load, then one commit), back to back, on K partitions at once.
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ReadSideRecord } from "../../src/control/index.js";
import { LOG_READ_SIDE_ID, type LogAppend } from "../../src/eventlog/index.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { type BatchPositions, type CursorUpdate, type EntityHead, type Partitions, cursorId, freshCursor } from "../../src/partition/index.js";
import { CAPACITY_READ_SIDES } from "./capacity-read-sides.js";


/** One headroom measurement: `partitions` partitions (first … first + K − 1) driven at once, each `batches` batches of `entities` entities. */
export interface CapacityRequest {
  batches: number;
  entities: number;
  /** Read sides whose cursors each batch moves (besides the log's `$log`), at most CAPACITY_READ_SIDES.length. */
  sides: number;
  partitions: number;
  first: number;
  /** Makes the entity ids of this measurement its own. */
  run: string;
}

/** What one measurement took; events/s over the wall time of the slowest partition's loop. */
export interface CapacityResult extends CapacityRequest {
  seconds: number;
  events: number;
  eventsPerSecond: number;
  batchesPerSecond: number;
  /** RPCs to the partition stores per second (two per batch). */
  requestsPerSecond: number;
  /** Per partition: its loop's wall time, and how much of it the driver spent awaiting each call (the Worker's clock moves only at I/O, so these are call round trips). */
  perPartition: { partition: number; seconds: number; eventsPerSecond: number; loadS: number; commitS: number }[];
}

const PAYLOAD = toBinary(AnySchema, create(AnySchema, { typeUrl: "type.googleapis.com/bench.v1.Payload", value: new Uint8Array(100).fill(7) }));

/**
 * Warms every partition the measurement drives: indexes its entities and waits out the shard
 * moves of a fresh K-partition layout (partition 0 first hands over the shards the others own),
 * so the measured loop starts on a steady store. Returns the seconds it took.
 */
export async function warmCapacity(partitions: Partitions, req: CapacityRequest): Promise<number> {
  const t0 = Date.now();
  await Promise.all(partsOf(partitions, req).map((p) => warm(partitions, p, entitiesOf(partitions, p, req.entities, req.run))));
  return (Date.now() - t0) / 1000;
}

/**
 * Runs each partition's loop concurrently: per batch one `load` of every entity's cursors and one
 * `commit` moving every cursor (the read sides' and `$log`'s) by one event and appending that event
 * to the partition's log — exactly the two calls the queue consumer makes, with no handler calls and
 * no journal reads in between. Run warmCapacity with the same request first.
 */
export async function runCapacity(partitions: Partitions, req: CapacityRequest): Promise<CapacityResult> {
  const parts = partsOf(partitions, req);
  const t0 = Date.now();
  const per = await Promise.all(parts.map((p) => drive(partitions, p, entitiesOf(partitions, p, req.entities, req.run), req)));
  const seconds = (Date.now() - t0) / 1000;
  const events = req.partitions * req.batches * req.entities;
  return {
    ...req,
    seconds,
    events,
    eventsPerSecond: events / seconds,
    batchesPerSecond: (req.partitions * req.batches) / seconds,
    requestsPerSecond: (2 * req.partitions * req.batches) / seconds,
    perPartition: per.map((s, i) => ({ partition: req.first + i, ...s, eventsPerSecond: (req.batches * req.entities) / s.seconds })),
  };
}

function partsOf(partitions: Partitions, req: CapacityRequest): number[] {
  if (req.first + req.partitions > partitions.count) throw new Error(`capacity: partitions ${req.first}–${req.first + req.partitions - 1} asked for, the Worker has ${partitions.count}`);
  return Array.from({ length: req.partitions }, (_, i) => req.first + i);
}

/** `n` entity ids of this run whose shard partition `p` owns. */
function entitiesOf(partitions: Partitions, p: number, n: number, run: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const id = `cap-${run}-${i}`;
    if (partitions.partitionOf(id) === p) out.push(id);
  }
  return out;
}

function headsOf(partitions: Partitions, ids: string[], head: number): EntityHead[] {
  return ids.map((entityId) => ({ entityId, shard: partitions.shardOf(entityId), head }));
}

/** The `$log` side and the first `n` capacity read sides, or undefined while the partition does not know them all yet. */
function sidesOf(positions: BatchPositions, n: number): ReadSideRecord[] | undefined {
  const wanted = [LOG_READ_SIDE_ID, ...CAPACITY_READ_SIDES.slice(0, n)];
  const found = wanted.map((id) => positions.sides.find((s) => s.spec.id === id));
  return found.every((s) => s !== undefined) ? (found as ReadSideRecord[]) : undefined;
}

/** Loads the entities until the partition serves all of them and knows every read side (bounded), then hands the lease back. */
async function warm(partitions: Partitions, p: number, ids: string[]): Promise<void> {
  const store = partitions.store(p);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const positions = await store.load(headsOf(partitions, ids, 1), Date.now(), partitions.route(p));
    await store.commit({ lease: positions.lease, updates: [], parked: [], heads: [], appends: [], now: Date.now() });
    if ((positions.wait ?? []).length === 0 && sidesOf(positions, CAPACITY_READ_SIDES.length) !== undefined) return;
    if (Date.now() > deadline) throw new Error(`capacity: partition ${p} did not serve its entities within 120 s (waiting: ${positions.wait?.length ?? 0})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One partition's loop: its wall time in seconds, and the seconds spent awaiting loads and commits. */
async function drive(partitions: Partitions, p: number, ids: string[], req: CapacityRequest): Promise<{ seconds: number; loadS: number; commitS: number }> {
  const store = partitions.store(p);
  const route = partitions.route(p);
  const date = timestampFromMs(Date.now());
  const t0 = Date.now();
  let loadMs = 0;
  let commitMs = 0;
  for (let b = 1; b <= req.batches; b++) {
    const l0 = Date.now();
    const positions = await store.load(headsOf(partitions, ids, b), Date.now(), route);
    loadMs += Date.now() - l0;
    const sides = sidesOf(positions, req.sides);
    if (sides === undefined || (positions.wait ?? []).length > 0) throw new Error(`capacity: partition ${p} stopped serving the batch`);
    const updates: CursorUpdate[] = [];
    const appends: LogAppend[] = [];
    for (const entityId of ids) {
      const shard = partitions.shardOf(entityId);
      for (const side of sides) {
        const from = positions.cursors.get(cursorId(side.spec.id, entityId)) ?? freshCursor(side.generation);
        updates.push({ key: { readSideId: side.spec.id, entityId, shard }, from, revision: b, status: "ok", attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 });
        if (side.spec.id !== LOG_READ_SIDE_ID) continue;
        const meta = toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: b, revisionDate: date }));
        const row = { entityId, revision: b, eventType: "bench.v1.Payload", eskit: false, event: PAYLOAD, meta, state: undefined };
        appends.push({ entityId, shard, generation: from.generation, epoch: from.epoch, fromRevision: from.revision, rows: [row] });
      }
    }
    const c0 = Date.now();
    const committed = await store.commit({ lease: positions.lease, updates, parked: [], heads: [], appends, now: c0 });
    commitMs += Date.now() - c0;
    if (committed.applied.size !== updates.length || committed.appended.length !== ids.length) {
      throw new Error(`capacity: partition ${p} applied ${committed.applied.size} of ${updates.length} cursor writes and appended ${committed.appended.length} of ${ids.length} events`);
    }
  }
  return { seconds: (Date.now() - t0) / 1000, loadS: loadMs / 1000, commitS: commitMs / 1000 };
}
