// A consumer batch against its partition: load the cursors it needs, then commit every outcome in one transaction.
import type { ReadSideRecord } from "../control/index.js";
import { LOG_READ_SIDE_ID, type LogAppend, type LogBarrier, type LogRow } from "../eventlog/index.js";
import type { BatchPositions, CommitRequest, CommitResult, CursorUpdate, EntityHead, ParkedEvent } from "./batch.js";
import { type Cursor, type CursorJson, cursorId, decodeCursor, encodeCursor } from "./cursor-codec.js";
import { type EntityRow, insertMissingRows, readEntityRows, writeEntityRows } from "./entity-rows.js";
import { markRise, trimMarks } from "./waiting.js";
import { clearFailing, markFailing } from "./failing.js";
import { parkEvents } from "./parked.js";

/** Where a commit's taken log rows go: the partition's segments (and what else moves with the log). */
export interface LogSink {
  /** Appends the rows of the appends that took, in order; returns each row's offset (and barriers), in the same order. */
  append(taken: LogAppend[], now: number): { offsets: number[]; appendedAt: number; barriers?: (LogBarrier[] | undefined)[] };
  /**
   * Why the log takes nothing now (its store is at its cap); undefined when it takes rows. The
   * log's own read side then waits and retries, as a failing read side does; the others go on.
   */
  full?: string;
}

/** How long the log's read side waits before it tries again while the log's store is full. */
export const LOG_FULL_RETRY_MS = 30_000;

/**
 * Adds the batch's entities the index lacks (with the head their messages announced), then reads
 * the cursors every read side holds for them. The insert comes first in the same turn: a read side
 * created after this read finds the entity when its sweep walks the index.
 */
export function loadPositions(sql: SqlStorage, sides: ReadSideRecord[], entities: EntityHead[], now: number): BatchPositions {
  const rows = readEntityRows(
    sql,
    entities.map((e) => e.entityId),
  );
  insertMissingRows(
    sql,
    entities.filter((e) => !rows.has(e.entityId)).map((e) => ({ entityId: e.entityId, shard: e.shard, head: e.head })),
    now,
  );
  const cursors = new Map<string, Cursor>();
  for (const row of rows.values()) {
    for (const side of sides) {
      const c = decodeCursor(row.cursors[side.spec.id], side.generation);
      if (c !== undefined) cursors.set(cursorId(side.spec.id, row.entityId), c);
    }
  }
  return { sides, cursors };
}

/**
 * Applies a batch's outcomes; the caller runs it inside one SQLite transaction. Each cursor write
 * is a compare-and-set: it applies only if the read side still has the generation, and the cursor
 * the epoch and revision, that the delivery started from — so a restart, skip or delete that
 * happened meanwhile wins, and a cursor never moves backwards. A log append takes exactly when its
 * `$log` cursor update does, so racing consumers can neither append an event twice nor out of
 * order. Every entity the batch touched is written once, whatever the number of read sides.
 */
export function commitBatch(sql: SqlStorage, sides: ReadonlyMap<string, ReadSideRecord>, req: CommitRequest, sink: LogSink): CommitResult {
  const ids = [...req.updates.map((u) => u.key.entityId), ...req.heads.map((h) => h.entityId), ...req.appends.map((a) => a.entityId)];
  const rows = readEntityRows(sql, ids);
  // The heads before this batch (the rows below are changed in place).
  const headsBefore = new Map([...rows].map(([id, row]) => [id, row.head]));
  const touched = new Map<string, EntityRow>();
  const rowOf = (entityId: string, shard: number): EntityRow => {
    let row = touched.get(entityId) ?? rows.get(entityId);
    if (row === undefined) row = { entityId, shard, head: 0, cursors: {}, updatedAt: req.now, marks: [] };
    touched.set(entityId, row);
    return row;
  };

  const applied = new Set<string>();
  const updates = sink.full === undefined ? req.updates : req.updates.map((u) => (u.key.readSideId === LOG_READ_SIDE_ID ? logHeld(u, sink.full as string, req.now) : u));
  for (const u of updates) {
    const row = touched.get(u.key.entityId) ?? rows.get(u.key.entityId);
    const generation = sides.get(u.key.readSideId)?.generation;
    if (generation === undefined || !takes(row?.cursors[u.key.readSideId], generation, u.from)) continue;
    const target = rowOf(u.key.entityId, u.key.shard);
    const before = decodeCursor(target.cursors[u.key.readSideId], generation);
    target.cursors[u.key.readSideId] = cursorOf(u, req.now);
    target.head = Math.max(target.head, u.revision);
    applied.add(cursorId(u.key.readSideId, u.key.entityId));
    if (u.status !== "ok") markFailing(sql, u.key, u.status, u.retryAt);
    else if (before !== undefined && before.status !== "ok") clearFailing(sql, u.key.readSideId, u.key.entityId);
  }
  for (const h of req.heads) {
    const row = rowOf(h.entityId, h.shard);
    row.head = Math.max(row.head, h.head);
  }

  const owed = req.appends.filter((a) => applied.has(cursorId(LOG_READ_SIDE_ID, a.entityId)));
  const taken = sink.full !== undefined ? [] : owed;
  // Held rows raise the head too: once the held cursors are released (made "ok"), the index must show them behind.
  for (const a of owed) {
    const row = touched.get(a.entityId);
    if (row !== undefined) row.head = Math.max(row.head, ...a.rows.map((r: LogRow) => r.revision));
  }
  const written = [...touched.values()].map((row) => {
    const cursors = withoutStale(row.cursors, sides);
    const before = headsBefore.get(row.entityId) ?? 0;
    const lowest = lowestRevision(cursors, sides);
    const marks = row.head > before ? markRise(row.marks, before, Math.min(req.knownAt ?? req.now, req.now), lowest) : trimMarks(row.marks, lowest);
    return { ...row, cursors, marks, updatedAt: req.now };
  });
  writeEntityRows(sql, written);
  // An event is parked only with the cursor move that skips it: a delivery whose compare-and-set
  // lost (another consumer, a restart or a skip moved the cursor) parks nothing.
  const parked = req.parked.filter((p) => applied.has(cursorId(p.readSideId, p.entityId)));
  if (parked.length > 0) parkEvents(sql, parked, req.now);

  const { offsets, appendedAt, barriers } = taken.length > 0 ? sink.append(taken, req.now) : { offsets: [], appendedAt: req.now, barriers: undefined };
  const appended = taken.flatMap((a) => a.rows.map((r) => ({ entityId: a.entityId, revision: r.revision })));
  return {
    applied,
    appended: appended.map((e, i) => {
      const guarded = barriers?.[i];
      return { partition: -1, offset: offsets[i] as number, ...e, ...(guarded !== undefined && guarded.length > 0 ? { barriers: guarded } : {}) };
    }),
    appendedAt,
  };
}

/**
 * Whether a write that started from `from` may replace `stored`: only while the read side still
 * has the generation the delivery read, and the cursor still the epoch and revision it read. An
 * absent cursor, or one of an older generation, is a fresh one (epoch 0, revision 0).
 */
function takes(stored: CursorJson | undefined, generation: string, from: Cursor): boolean {
  if (from.generation !== generation) return false;
  const current = stored === undefined || stored.g !== generation ? { e: 0, r: 0 } : stored;
  return (current.e ?? 0) === from.epoch && current.r === from.revision;
}

/**
 * The log's cursor update when the log cannot take rows: the cursor stays where it was, retrying
 * after LOG_FULL_RETRY_MS with the reason as its error (visible to operators), so the entity's
 * journal keeps the events (compaction waits for the log) and nothing is lost.
 */
function logHeld(u: CursorUpdate, reason: string, now: number): CursorUpdate {
  return { ...u, revision: u.from.revision, status: "retrying", attempts: u.from.attempts + 1, failedRevision: u.from.revision + 1, lastError: reason, retryAt: now + LOG_FULL_RETRY_MS };
}

function cursorOf(u: CursorUpdate, now: number): CursorJson {
  return encodeCursor({
    generation: u.from.generation,
    epoch: u.from.epoch,
    revision: u.revision,
    status: u.status,
    attempts: u.attempts,
    retryAt: u.retryAt,
    restartedAt: u.from.restartedAt,
    failedRevision: u.failedRevision,
    lastError: u.lastError,
    updatedAt: now,
  });
}

/** The lowest revision any read side's cursor on the row is at (a read side without one is at 0). */
function lowestRevision(cursors: Record<string, CursorJson>, sides: ReadonlyMap<string, ReadSideRecord>): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const id of sides.keys()) lowest = Math.min(lowest, cursors[id]?.r ?? 0);
  return Number.isFinite(lowest) ? lowest : 0;
}

/** Drops cursors of read sides that are gone or restarted into a new generation: they read as fresh anyway. */
function withoutStale(cursors: Record<string, CursorJson>, sides: ReadonlyMap<string, ReadSideRecord>): Record<string, CursorJson> {
  const kept: Record<string, CursorJson> = {};
  for (const [id, c] of Object.entries(cursors)) if (sides.get(id)?.generation === c.g) kept[id] = c;
  return kept;
}

export type { ParkedEvent };
