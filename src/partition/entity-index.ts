// The partition's entity index: which entities a read side is behind on, and the reconciler's walk.
import type { ReadSideRecord } from "../control/index.js";
import type { EntityHead } from "./batch.js";
import { type EntityRow, readEntityRows, writeEntityRows } from "./entity-rows.js";
import { markRise } from "./waiting.js";

/** An entity a read side is behind on, with the range it still needs. */
export interface BehindEntity {
  entityId: string;
  fromRevision: number;
  headRevision: number;
}

/** An indexed entity and the head the index knows for it. */
export interface IndexedEntity {
  entityId: string;
  shard: number;
  headRevision: number;
}

const PROBE_KEY = "reconciler.probe_after";

/**
 * Up to `limit` entities after `after` (by id) whose known head is past the read side's cursor, or
 * that it has no cursor for, leaving out its paused shards; optionally only those in `shard`, and
 * only cursors that are `ok` (or the built-in `$log`'s, which retries a stopped cursor) and were
 * last written before `quietSince` (so work in flight is left alone). Every condition is in SQL,
 * so a page shorter than `limit` means there is no more.
 */
export function behind(sql: SqlStorage, side: ReadSideRecord, opts: { after: string; limit: number; shard?: number; quietSince?: number }): BehindEntity[] {
  const at = (key: string) => `$."${side.spec.id}".${key}`;
  const current = "(cursors ->> ?1 = ?2)";
  return sql
    .exec<{ entity_id: string; revision: number; head: number }>(
      `SELECT entity_id, head, CASE WHEN ${current} THEN cursors ->> ?3 ELSE 0 END AS revision FROM p_entity
       WHERE entity_id > ?4 AND (?5 IS NULL OR shard = ?5)
         AND shard NOT IN (SELECT value FROM json_each(?6))
         AND head > (CASE WHEN ${current} THEN cursors ->> ?3 ELSE 0 END)
         AND (?7 IS NULL OR (
           (?8 OR NOT ${current} OR coalesce(cursors ->> ?9, 'ok') = 'ok')
           AND (CASE WHEN ${current} THEN cursors ->> ?10 ELSE updated_at END) < ?7))
       ORDER BY entity_id LIMIT ?11`,
      at("g"),
      side.generation,
      at("r"),
      opts.after,
      opts.shard ?? null,
      JSON.stringify(side.pausedShards),
      opts.quietSince ?? null,
      side.source === "builtin" ? 1 : 0,
      at("s"),
      at("u"),
      opts.limit,
    )
    .toArray()
    .map((r) => ({ entityId: r.entity_id, fromRevision: r.revision + 1, headRevision: r.head }));
}

/** Up to `limit` indexed entities after `after` (by id), wrapping to the start when none are left. */
export function indexPage(sql: SqlStorage, after: string, limit: number): IndexedEntity[] {
  const read = (from: string) =>
    sql
      .exec<{ entity_id: string; shard: number; head: number }>("SELECT entity_id, shard, head FROM p_entity WHERE entity_id > ? ORDER BY entity_id LIMIT ?", from, limit)
      .toArray();
  let rows = read(after);
  if (rows.length === 0 && after !== "") rows = read("");
  return rows.map((r) => ({ entityId: r.entity_id, shard: r.shard, headRevision: r.head }));
}

/** The entity id the reconciler's walk of this partition's index last reached ("" at the start). */
export function probePosition(sql: SqlStorage): string {
  return sql.exec<{ value: string }>("SELECT value FROM p_info WHERE key = ?", PROBE_KEY).toArray()[0]?.value ?? "";
}

/** Records the walk's new position. */
export function setProbePosition(sql: SqlStorage, after: string): void {
  sql.exec("INSERT INTO p_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2", PROBE_KEY, after);
}

/**
 * Raises the index's heads where these are newer (adding entities it lacks), marking the new
 * revisions as first known now (never before the row's last mark, and at most MAX_MARKS marks
 * however many rises come with no commit in between); writes nothing where they are not. The next
 * batch commit on a row trims its marks to what its cursors need (waiting.ts).
 */
export function raiseHeads(sql: SqlStorage, heads: readonly EntityHead[], now: number): void {
  if (heads.length === 0) return;
  const highest = new Map<string, EntityHead>();
  for (const h of heads) if (h.head > (highest.get(h.entityId)?.head ?? 0)) highest.set(h.entityId, h);
  const rows = readEntityRows(sql, [...highest.keys()]);
  const raised: EntityRow[] = [];
  for (const h of highest.values()) {
    const row = rows.get(h.entityId);
    if (row === undefined) raised.push({ entityId: h.entityId, shard: h.shard, head: h.head, cursors: {}, updatedAt: now, marks: markRise([], 0, now, 0) });
    // No cursor is read here: nothing is trimmed (-1), only the cap applies.
    else if (h.head > row.head) raised.push({ ...row, head: h.head, updatedAt: now, marks: markRise(row.marks, row.head, now, -1) });
  }
  writeEntityRows(sql, raised);
}

/**
 * Up to `limit` indexed entities whose id starts with `prefix`, after `after` (by id). The range
 * scan uses the primary key: ids from `prefix` up to the first string past every id it starts.
 */
export function findByPrefix(sql: SqlStorage, prefix: string, after: string, limit: number): IndexedEntity[] {
  return sql
    .exec<{ entity_id: string; shard: number; head: number }>(
      `SELECT entity_id, shard, head FROM p_entity
       WHERE entity_id >= ?1 AND entity_id > ?2 AND substr(entity_id, 1, length(?1)) = ?1
       ORDER BY entity_id LIMIT ?3`,
      prefix,
      after,
      limit,
    )
    .toArray()
    .map((r) => ({ entityId: r.entity_id, shard: r.shard, headRevision: r.head }));
}
