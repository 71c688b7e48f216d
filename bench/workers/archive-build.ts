// The archive step's log builder: appends events to partition 0's log through the consumer's own two store calls (load, then commit), in large batches.
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { LOG_READ_SIDE_ID, type LogAppend, type LogRow } from "../../src/eventlog/index.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { type CursorUpdate, type EntityHead, type Partitions, cursorId, freshCursor } from "../../src/partition/index.js";
import { writeFields } from "./proto-wire.js";

/** Event types of the built log: `bench.v1.Type0` … `bench.v1.Type{ARCHIVE_TYPES − 1}`, in turn by offset, so one type is 1/ARCHIVE_TYPES of any range. */
export const ARCHIVE_TYPES = 10;

/** One call of the builder: `batches` batches of `entities` entities × `perEntity` events each, continuing at batch `first` (1-based). */
export interface ArchiveBuildRequest {
  batches: number;
  entities: number;
  perEntity: number;
  first: number;
  /** Makes the entity ids of this build its own. */
  run: string;
  /** The hot store's cap (STATEHOUSE_LOG_HOT_MAX_ENTRIES): the builder waits for archiving rather than have a commit hold the log. */
  hotMax: number;
  /** Wall-time budget of this call, ms: it stops after the batch that passes it (the runner calls again). */
  budgetMs: number;
}

/** What one call did. */
export interface ArchiveBuildResult {
  batches: number;
  events: number;
  /** Wall time of the call, and of its parts: awaiting loads, commits, the hot count before each batch (logTiers), and sleeping while the store was at its cap. */
  seconds: number;
  loadS: number;
  commitS: number;
  tiersS: number;
  capWaitS: number;
  /** Times a batch waited because the hot store was at its cap. */
  waits: number;
  /** The most hot entries any logTiers answered during the call. */
  hotPeak: number;
  /** The log's head after the last commit. */
  head: number;
}

const utf8 = new TextEncoder();
const WORDS = ["deposit", "withdrawal", "transfer", "fee", "interest", "refund", "payout", "charge", "credit", "debit", "adjustment", "reversal"];

/** A deterministic pseudo-random stream (a build is reproducible). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

/** An event of ~100 B payload: an account, an amount and a memo as protobuf string fields, neither all alike nor random bytes. */
function eventAny(type: number, entity: number, revision: number, rand: () => number): Uint8Array {
  const memo = `${WORDS[rand() % WORDS.length]} ${WORDS[rand() % WORDS.length]} ref ${(rand() % 0xffffff).toString(16).padStart(6, "0")} rev ${revision}`;
  const value = writeFields([
    [1, utf8.encode(`acct-${String(entity).padStart(6, "0")}`)],
    [2, utf8.encode(String(rand() % 1_000_000))],
    [3, utf8.encode(memo.padEnd(64, "."))],
  ]);
  return toBinary(AnySchema, create(AnySchema, { typeUrl: `type.googleapis.com/bench.v1.Type${type}`, value }));
}

/** The build's entity ids in partition 0 (the Worker has one partition). */
function entityIds(partitions: Partitions, n: number, run: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n && i < n * 1000; i++) {
    const id = `arc-${run}-${i}`;
    if (partitions.partitionOf(id) === 0) out.push(id);
  }
  if (out.length < n) throw new Error(`archive build: found ${out.length} of ${n} entity ids in partition 0`);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs batches `first` … `first + batches − 1` (or fewer, past `budgetMs`): per batch one `load`
 * of every entity's cursors and one `commit` moving each entity's `$log` cursor by `perEntity`
 * revisions with those events appended — the two calls the queue consumer makes, so the log's
 * segments, the entity rows and the archiving the commit arms are Statehouse's own. Before a batch
 * it asks the partition how many entries are hot and waits (bounded) while they are at the cap,
 * so no commit holds the log: a build faster than archiving is slowed to its pace.
 */
export async function buildArchiveLog(partitions: Partitions, req: ArchiveBuildRequest): Promise<ArchiveBuildResult> {
  const store = partitions.store(0);
  const route = partitions.route(0);
  const ids = entityIds(partitions, req.entities, req.run);
  const perBatch = req.entities * req.perEntity;
  const t0 = Date.now();
  let loadMs = 0;
  let commitMs = 0;
  let tiersMs = 0;
  let capWaitMs = 0;
  let waits = 0;
  let hotPeak = 0;
  let done = 0;
  let head = 0;
  for (let b = req.first; b < req.first + req.batches; b++) {
    if (Date.now() - t0 > req.budgetMs) break;
    // Room for this batch below the cap. The store holds the log when the entries before its newest
    // segment reach the cap; every segment here is one batch, so below the cap now means the
    // commit takes, with a batch to spare.
    const w0 = Date.now();
    for (let waited = false; ; waited = true) {
      const a0 = Date.now();
      const tiers = await store.logTiers();
      tiersMs += Date.now() - a0;
      hotPeak = Math.max(hotPeak, tiers.hot);
      if (tiers.hot < req.hotMax) break;
      if (!waited) waits++;
      if (Date.now() - w0 > 30_000) throw new Error(`archive build: the hot store held ${tiers.hot} entries (hot from ${tiers.hotFirst}, head ${tiers.head}) for 30 s (cap ${req.hotMax}): archiving does not make room`);
      const s0 = Date.now();
      await sleep(50);
      capWaitMs += Date.now() - s0;
    }
    const last = b * req.perEntity;
    const heads: EntityHead[] = ids.map((entityId) => ({ entityId, shard: partitions.shardOf(entityId), head: last }));
    const l0 = Date.now();
    const positions = await store.load(heads, Date.now(), route);
    loadMs += Date.now() - l0;
    const side = positions.sides.find((s) => s.spec.id === LOG_READ_SIDE_ID);
    if (side === undefined || (positions.wait ?? []).length > 0) throw new Error(`archive build: partition 0 does not serve the batch (log read side ${side === undefined ? "unknown" : "known"}, ${positions.wait?.length ?? 0} entities waiting)`);
    const date = timestampFromMs(Date.now());
    const rand = lcg(b);
    const updates: CursorUpdate[] = [];
    const appends: LogAppend[] = [];
    for (const [i, entityId] of ids.entries()) {
      const shard = partitions.shardOf(entityId);
      const from = positions.cursors.get(cursorId(LOG_READ_SIDE_ID, entityId)) ?? freshCursor(side.generation);
      if (from.revision !== last - req.perEntity) throw new Error(`archive build: ${entityId}'s log cursor is at ${from.revision}, expected ${last - req.perEntity}`);
      const rows: LogRow[] = [];
      for (let j = 1; j <= req.perEntity; j++) {
        const revision = last - req.perEntity + j;
        const seq = (b - 1) * perBatch + i * req.perEntity + (j - 1);
        const type = seq % ARCHIVE_TYPES;
        const meta = toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: revision, revisionDate: date }));
        rows.push({ entityId, revision, eventType: `bench.v1.Type${type}`, eskit: false, event: eventAny(type, i, revision, rand), meta, state: undefined });
      }
      updates.push({ key: { readSideId: LOG_READ_SIDE_ID, entityId, shard }, from, revision: last, status: "ok", attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 });
      appends.push({ entityId, shard, generation: from.generation, epoch: from.epoch, fromRevision: from.revision, rows });
    }
    const c0 = Date.now();
    const committed = await store.commit({ lease: positions.lease, updates, parked: [], heads: [], appends, now: c0 });
    commitMs += Date.now() - c0;
    if (committed.applied.size !== updates.length || committed.appended.length !== perBatch) {
      throw new Error(`archive build: batch ${b} applied ${committed.applied.size} of ${updates.length} cursor writes and appended ${committed.appended.length} of ${perBatch} events`);
    }
    head = Math.max(...committed.appended.map((e) => e.offset));
    done++;
  }
  return { batches: done, events: done * perBatch, seconds: (Date.now() - t0) / 1000, loadS: loadMs / 1000, commitS: commitMs / 1000, tiersS: tiersMs / 1000, capWaitS: capWaitMs / 1000, waits, hotPeak, head };
}

/** Loads the build's entities until partition 0 serves them (it first takes over what D1 held before partitions), bounded; hands the lease back. */
export async function warmArchiveLog(partitions: Partitions, entities: number, run: string): Promise<void> {
  const store = partitions.store(0);
  const ids = entityIds(partitions, entities, run);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const positions = await store.load(ids.map((entityId) => ({ entityId, shard: partitions.shardOf(entityId), head: 0 })), Date.now(), partitions.route(0));
    await store.commit({ lease: positions.lease, updates: [], parked: [], heads: [], appends: [], now: Date.now() });
    if ((positions.wait ?? []).length === 0 && positions.sides.some((s) => s.spec.id === LOG_READ_SIDE_ID)) return;
    if (Date.now() > deadline) throw new Error(`archive build: partition 0 did not serve the build's entities within 120 s`);
    await sleep(200);
  }
}
