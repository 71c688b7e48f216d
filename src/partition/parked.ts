// Parked events inside a partition: what a read side gave up on, kept for replay.
import type { ParkedEvent } from "./batch.js";
import { MAX_ERROR_CHARS } from "./cursor-codec.js";

/** A parked event as an operator sees it. */
export interface ParkedView {
  entityId: string;
  revision: number;
  reason: string;
  attempts: number;
  parkedAt: number;
}

type ParkedRecord = { entity_id: string; revision: number; reason: string; attempts: number; parked_at: number };

/** Records (or refreshes, counting the attempts) parked events. */
export function parkEvents(sql: SqlStorage, parked: readonly ParkedEvent[], now: number): void {
  sql.exec(
    `INSERT INTO p_parked (read_side_id, entity_id, revision, reason, attempts, parked_at)
     SELECT j.value ->> 'r', j.value ->> 'e', j.value ->> 'v', j.value ->> 'why', j.value ->> 'a', ?2 FROM json_each(?1) j WHERE true
     ON CONFLICT (read_side_id, entity_id, revision) DO UPDATE SET reason = excluded.reason,
       attempts = p_parked.attempts + excluded.attempts, parked_at = excluded.parked_at`,
    JSON.stringify(parked.map((p) => ({ r: p.readSideId, e: p.entityId, v: p.revision, why: p.reason.slice(0, MAX_ERROR_CHARS), a: p.attempts }))),
    now,
  );
}

/** A read side's parked events (optionally one entity's), by entity id and revision. */
export function listParked(sql: SqlStorage, readSideId: string, opts: { entityId?: string; limit: number }): ParkedView[] {
  return sql
    .exec<ParkedRecord>(
      `SELECT entity_id, revision, reason, attempts, parked_at FROM p_parked
       WHERE read_side_id = ?1 AND (?2 IS NULL OR entity_id = ?2) ORDER BY entity_id, revision LIMIT ?3`,
      readSideId,
      opts.entityId ?? null,
      opts.limit,
    )
    .toArray()
    .map(toView);
}

/** One parked event, or undefined. */
export function getParked(sql: SqlStorage, readSideId: string, entityId: string, revision: number): ParkedView | undefined {
  const row = sql
    .exec<ParkedRecord>(
      "SELECT entity_id, revision, reason, attempts, parked_at FROM p_parked WHERE read_side_id = ? AND entity_id = ? AND revision = ?",
      readSideId,
      entityId,
      revision,
    )
    .toArray()[0];
  return row === undefined ? undefined : toView(row);
}

/** Removes one parked event. */
export function removeParked(sql: SqlStorage, readSideId: string, entityId: string, revision: number): void {
  sql.exec("DELETE FROM p_parked WHERE read_side_id = ? AND entity_id = ? AND revision = ?", readSideId, entityId, revision);
}

/** Parked events per read side. */
export function countParked(sql: SqlStorage): Map<string, number> {
  return new Map(
    sql
      .exec<{ read_side_id: string; n: number }>("SELECT read_side_id, count(*) AS n FROM p_parked GROUP BY read_side_id")
      .toArray()
      .map((r) => [r.read_side_id, r.n]),
  );
}

/** Deletes a read side's parked events in scope (all, one shard's, one entity's). */
export function dropParked(sql: SqlStorage, readSideId: string, scope: { shard?: number; entityId?: string } = {}): void {
  sql.exec(
    `DELETE FROM p_parked WHERE read_side_id = ?1 AND (?3 IS NULL OR entity_id = ?3)
       AND (?2 IS NULL OR entity_id IN (SELECT entity_id FROM p_entity WHERE shard = ?2))`,
    readSideId,
    scope.shard ?? null,
    scope.entityId ?? null,
  );
}

function toView(r: ParkedRecord): ParkedView {
  return { entityId: r.entity_id, revision: r.revision, reason: r.reason, attempts: r.attempts, parkedAt: r.parked_at };
}
