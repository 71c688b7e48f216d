// Operator reads and writes on a partition's cursors: views, totals, offsets, restart, resume and skip.
import type { ReadSideRecord } from "../control/index.js";
import { type CursorStatus, type StoredCursor, decodeCursor, encodeCursor } from "./cursor-codec.js";
import { readEntityRow, readEntityRows, writeEntityRows } from "./entity-rows.js";
import { clearFailing, countFailing, listFailing } from "./failing.js";
import { countParked, dropParked, parkEvents } from "./parked.js";
import { waitingSince } from "./waiting.js";

/** One cursor as an operator sees it. */
export interface CursorView {
  entityId: string;
  shard: number;
  revision: number;
  headRevision: number;
  lag: number;
  status: CursorStatus;
  attempts: number;
  failedRevision: number;
  lastError: string | null;
  updatedAt: number;
  /** When the partition first knew of the oldest event not yet handled (ms); undefined when caught up or not known. */
  waitingSince?: number;
}

/** A read side's totals in one partition. */
export interface CursorSummary {
  entities: number;
  lag: number;
  /** The lag (events not yet handled) of each shard that has any, by shard. */
  lagByShard: Record<number, number>;
  /** For each lagging shard whose marks say: when the partition first knew of the oldest event not yet handled (ms). */
  waitingSinceByShard: Record<number, number>;
  retrying: number;
  stopped: number;
  parked: number;
}

/** Which cursors an operation touches: all of a read side's, one shard's, or one entity's. */
export interface CursorScope {
  shard?: number;
  entityId?: string;
}

/** A retrying cursor whose scheduled retry is overdue. */
export interface DueRetry {
  readSideId: string;
  entityId: string;
  revision: number;
  failedRevision: number;
}

/** JSON paths into an entity row's cursors for one read side (ids never hold a quote: they are validated). */
function paths(readSideId: string) {
  const at = (key: string) => `$."${readSideId}".${key}`;
  return { g: at("g"), r: at("r"), s: at("s"), u: at("u") };
}

type ViewRecord = { entity_id: string; shard: number; head: number; cursors: string };

/** A page of a read side's cursors in scope, by entity id; optionally only failing ones. */
export function listCursors(sql: SqlStorage, side: ReadSideRecord, scope: CursorScope, opts: { after?: string; limit: number; failingOnly?: boolean }): CursorView[] {
  const id = side.spec.id;
  let ids: string[];
  if (opts.failingOnly) {
    ids = listFailing(sql, id, { ...scope, after: opts.after, limit: opts.limit }).map((f) => f.entityId);
  } else {
    const p = paths(id);
    ids = sql
      .exec<ViewRecord>(
        `SELECT entity_id FROM p_entity WHERE cursors ->> ?1 = ?2 AND entity_id > ?3 AND (?4 IS NULL OR shard = ?4)
           AND (?5 IS NULL OR entity_id = ?5) ORDER BY entity_id LIMIT ?6`,
        p.g,
        side.generation,
        opts.after ?? "",
        scope.shard ?? null,
        scope.entityId ?? null,
        opts.limit,
      )
      .toArray()
      .map((r) => r.entity_id);
  }
  const rows = readEntityRows(sql, ids);
  const views: CursorView[] = [];
  for (const entityId of ids) {
    const row = rows.get(entityId);
    const c = row === undefined ? undefined : decodeCursor(row.cursors[id], side.generation);
    if (row === undefined || c === undefined) continue;
    const head = Math.max(row.head, c.revision);
    const since = head > c.revision ? waitingSince(row.marks, c.revision) : undefined;
    views.push({
      entityId,
      shard: row.shard,
      revision: c.revision,
      headRevision: head,
      lag: head - c.revision,
      status: c.status,
      attempts: c.attempts,
      failedRevision: c.failedRevision,
      lastError: c.lastError,
      updatedAt: c.updatedAt,
      ...(since === undefined ? {} : { waitingSince: since }),
    });
  }
  return views;
}

/**
 * A read side's totals: every indexed entity counts, one it has no cursor for with its whole
 * history as lag. A lagging entity's wait is the time its newest mark at or before cursor + 1
 * records (waiting.ts); a shard's is its oldest, and unknown while any of its lagging entities' is.
 */
export function summarize(sql: SqlStorage, side: ReadSideRecord): CursorSummary {
  const p = paths(side.spec.id);
  const rows = sql
    .exec<{ shard: number; n: number; lag: number | null; since: number | null; unknown: number | null }>(
      `SELECT shard, count(*) AS n, sum(max(head - r, 0)) AS lag, min(since) AS since, max(head > r AND since IS NULL) AS unknown
       FROM (SELECT shard, head, r,
               CASE WHEN head > r THEN (SELECT m.value ->> 1 FROM json_each(marks) m WHERE m.value ->> 0 <= r + 1 ORDER BY m.key DESC LIMIT 1) END AS since
             FROM (SELECT shard, head, marks, (CASE WHEN cursors ->> ?1 = ?2 THEN cursors ->> ?3 ELSE 0 END) AS r FROM p_entity))
       GROUP BY shard`,
      p.g,
      side.generation,
      p.r,
    )
    .toArray();
  const lagByShard: Record<number, number> = {};
  const waitingSinceByShard: Record<number, number> = {};
  let entities = 0;
  let lag = 0;
  for (const r of rows) {
    entities += r.n;
    lag += r.lag ?? 0;
    if ((r.lag ?? 0) > 0) lagByShard[r.shard] = r.lag as number;
    // A lagging entity whose wait is not known (indexed before marks) may have waited longest: the shard's wait is not known either.
    if ((r.lag ?? 0) > 0 && r.since !== null && r.unknown !== 1) waitingSinceByShard[r.shard] = r.since;
  }
  const failing = countFailing(sql, side.spec.id);
  return { entities, lag, lagByShard, waitingSinceByShard, ...failing, parked: countParked(sql).get(side.spec.id) ?? 0 };
}

/** Events handled per shard (the sum of the cursors' revisions): CoS's offset per shard. */
export function offsetsByShard(sql: SqlStorage, side: ReadSideRecord): Map<number, number> {
  const p = paths(side.spec.id);
  const rows = sql
    .exec<{ shard: number; offset: number }>(
      "SELECT shard, sum(cursors ->> ?1) AS offset FROM p_entity WHERE cursors ->> ?2 = ?3 GROUP BY shard",
      p.r,
      p.g,
      side.generation,
    )
    .toArray();
  return new Map(rows.map((r) => [r.shard, r.offset]));
}

/**
 * Events handled per read side, each cursor capped at its entity's head (for the lag gauge), and
 * when the oldest event it has not handled was first known (for the wait gauge; null while a
 * lagging entity's wait is not known, as in summarize), in one scan per read side.
 */
export function handledBySide(
  sql: SqlStorage,
  sides: readonly ReadSideRecord[],
): { totalHeads: number; handled: Map<string, number>; waitingSince: Map<string, number | null> } {
  const totalHeads = sql.exec<{ t: number | null }>("SELECT sum(head) AS t FROM p_entity").one().t ?? 0;
  const handled = new Map<string, number>();
  const waitingSince = new Map<string, number | null>();
  for (const side of sides) {
    const p = paths(side.spec.id);
    const row = sql
      .exec<{ h: number | null; since: number | null; unknown: number | null }>(
        `SELECT sum(min(r, head)) AS h, min(since) AS since, max(head > r AND since IS NULL) AS unknown
         FROM (SELECT head, r,
                 CASE WHEN head > r THEN (SELECT m.value ->> 1 FROM json_each(marks) m WHERE m.value ->> 0 <= r + 1 ORDER BY m.key DESC LIMIT 1) END AS since
               FROM (SELECT head, marks, (CASE WHEN cursors ->> ?1 = ?2 THEN cursors ->> ?3 ELSE 0 END) AS r FROM p_entity))`,
        p.g,
        side.generation,
        p.r,
      )
      .one();
    handled.set(side.spec.id, row.h ?? 0);
    if (row.unknown === 1) waitingSince.set(side.spec.id, null);
    else if (row.since !== null) waitingSince.set(side.spec.id, row.since);
  }
  return { totalHeads, handled, waitingSince };
}

/**
 * Sets the cursors of one shard or one entity back to 0 and bumps their epoch (a delivery that
 * began before cannot commit after); their parked events go too. A whole read side restarts by
 * taking a new generation instead (control/), which writes no entity row.
 */
export function restartScope(sql: SqlStorage, side: ReadSideRecord, scope: CursorScope, now: number): void {
  const id = side.spec.id;
  const p = paths(id);
  const ids = sql
    .exec<{ entity_id: string }>(
      "SELECT entity_id FROM p_entity WHERE cursors ->> ?1 = ?2 AND (?3 IS NULL OR shard = ?3) AND (?4 IS NULL OR entity_id = ?4)",
      p.g,
      side.generation,
      scope.shard ?? null,
      scope.entityId ?? null,
    )
    .toArray()
    .map((r) => r.entity_id);
  rewriteCursors(sql, side, ids, now, (c) => ({ ...c, epoch: c.epoch + 1, revision: 0, status: "ok", attempts: 0, failedRevision: 0, lastError: null, retryAt: 0, restartedAt: now }));
  for (const entityId of ids) clearFailing(sql, id, entityId);
  dropParked(sql, id, scope);
}

/**
 * Clears the stopped or retrying status in scope (only retrying with `status`), so the failing
 * head event is tried again; the count.
 */
export function retryFailing(sql: SqlStorage, side: ReadSideRecord, scope: CursorScope, now: number, status?: "retrying"): number {
  const failing = listFailing(sql, side.spec.id, { ...scope, limit: Number.MAX_SAFE_INTEGER, status });
  const ids = failing.map((f) => f.entityId);
  // Resume keeps the failed revision and error, so an operator sees what the entity resumed from.
  rewriteCursors(sql, side, ids, now, (c) => ({ ...c, status: "ok", attempts: 0 }));
  for (const entityId of ids) clearFailing(sql, side.spec.id, entityId);
  return ids.length;
}

/** Moves each failing cursor in scope past its failing head event, parking it; the count skipped. */
export function skipFailing(sql: SqlStorage, side: ReadSideRecord, scope: CursorScope, now: number): number {
  const failing = listFailing(sql, side.spec.id, { ...scope, limit: Number.MAX_SAFE_INTEGER });
  const rows = readEntityRows(
    sql,
    failing.map((f) => f.entityId),
  );
  let skipped = 0;
  const parked = [];
  for (const f of failing) {
    const c = decodeCursor(rows.get(f.entityId)?.cursors[side.spec.id], side.generation);
    clearFailing(sql, side.spec.id, f.entityId);
    if (c === undefined || c.status === "ok") continue;
    parked.push({ readSideId: side.spec.id, entityId: f.entityId, revision: c.failedRevision, reason: `skipped by an operator; last error: ${c.lastError ?? "none"}`, attempts: c.attempts });
    skipped++;
  }
  rewriteCursors(
    sql,
    side,
    parked.map((p) => p.entityId),
    now,
    (c) => ({ ...c, epoch: c.epoch + 1, revision: c.failedRevision, status: "ok", attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 }),
  );
  if (parked.length > 0) parkEvents(sql, parked, now);
  return skipped;
}

/** Retrying cursors of enabled, running read sides whose retry was due before `before`. */
export function dueRetries(sql: SqlStorage, sides: readonly ReadSideRecord[], before: number, limit: number): DueRetry[] {
  const due: DueRetry[] = [];
  for (const side of sides) {
    if (!side.spec.enabled || side.paused || due.length >= limit) continue;
    const failing = listFailing(sql, side.spec.id, { limit: limit - due.length, status: "retrying" }).filter(
      (f) => f.retryAt < before && !side.pausedShards.includes(f.shard),
    );
    const rows = readEntityRows(
      sql,
      failing.map((f) => f.entityId),
    );
    for (const f of failing) {
      const c = decodeCursor(rows.get(f.entityId)?.cursors[side.spec.id], side.generation);
      if (c !== undefined) due.push({ readSideId: side.spec.id, entityId: f.entityId, revision: c.revision, failedRevision: c.failedRevision });
    }
  }
  return due;
}

/**
 * The lowest revision every enabled, running read side has handled for an entity (a read side
 * with no cursor there counts as 0); undefined when no read side is running. Stopped cursors and
 * paused read sides or shards do not hold it back, except the built-in `$log`'s: no operator can
 * skip it, and the log must take every event the journal still has.
 */
export function lowWater(sql: SqlStorage, sides: readonly ReadSideRecord[], entityId: string): number | undefined {
  const row = readEntityRow(sql, entityId);
  let low: number | undefined;
  for (const side of sides) {
    if (!side.spec.enabled || side.paused || (row !== undefined && side.pausedShards.includes(row.shard))) continue;
    const c = row === undefined ? undefined : decodeCursor(row.cursors[side.spec.id], side.generation);
    if (c?.status === "stopped" && side.source !== "builtin") continue;
    low = Math.min(low ?? Number.POSITIVE_INFINITY, c?.revision ?? 0);
  }
  return low;
}

/** Rewrites the current-generation cursors of `side` on these entities with `change`, in one statement. */
function rewriteCursors(sql: SqlStorage, side: ReadSideRecord, entityIds: readonly string[], now: number, change: (c: StoredCursor) => StoredCursor): void {
  if (entityIds.length === 0) return;
  const rows = readEntityRows(sql, entityIds);
  const written = [];
  for (const row of rows.values()) {
    const c = decodeCursor(row.cursors[side.spec.id], side.generation);
    if (c === undefined) continue;
    row.cursors[side.spec.id] = encodeCursor({ ...change(c), updatedAt: now });
    written.push({ ...row, updatedAt: now });
  }
  writeEntityRows(sql, written);
}
