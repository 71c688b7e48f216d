// The partition's index of failing cursors (retrying or stopped), kept beside the entity rows.
import type { CursorKey } from "./batch.js";
import type { CursorStatus } from "./cursor-codec.js";

/** A failing cursor as the index holds it. */
export interface FailingRow {
  readSideId: string;
  entityId: string;
  shard: number;
  status: Exclude<CursorStatus, "ok">;
  retryAt: number;
}

/** Records that a cursor is failing (or reschedules its retry). */
export function markFailing(sql: SqlStorage, key: CursorKey, status: Exclude<CursorStatus, "ok">, retryAt: number): void {
  sql.exec(
    `INSERT INTO p_failing (read_side_id, entity_id, shard, status, retry_at) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (read_side_id, entity_id) DO UPDATE SET status = excluded.status, retry_at = excluded.retry_at`,
    key.readSideId,
    key.entityId,
    key.shard,
    status,
    retryAt,
  );
}

/** Records that a cursor is no longer failing. */
export function clearFailing(sql: SqlStorage, readSideId: string, entityId: string): void {
  sql.exec("DELETE FROM p_failing WHERE read_side_id = ? AND entity_id = ?", readSideId, entityId);
}

/** The failing cursors of a read side in scope, by entity id, at most `limit` after `after`. */
export function listFailing(
  sql: SqlStorage,
  readSideId: string,
  scope: { shard?: number; entityId?: string; after?: string; limit: number; status?: "retrying" },
): FailingRow[] {
  return sql
    .exec<{ entity_id: string; shard: number; status: "retrying" | "stopped"; retry_at: number }>(
      `SELECT entity_id, shard, status, retry_at FROM p_failing
       WHERE read_side_id = ?1 AND (?2 IS NULL OR shard = ?2) AND (?3 IS NULL OR entity_id = ?3) AND entity_id > ?4
         AND (?5 IS NULL OR status = ?5)
       ORDER BY entity_id LIMIT ?6`,
      readSideId,
      scope.shard ?? null,
      scope.entityId ?? null,
      scope.after ?? "",
      scope.status ?? null,
      scope.limit,
    )
    .toArray()
    .map((r) => ({ readSideId, entityId: r.entity_id, shard: r.shard, status: r.status, retryAt: r.retry_at }));
}

/** Retrying and stopped counts of a read side. */
export function countFailing(sql: SqlStorage, readSideId: string): { retrying: number; stopped: number } {
  const row = sql
    .exec<{ retrying: number | null; stopped: number | null }>(
      "SELECT sum(status = 'retrying') AS retrying, sum(status = 'stopped') AS stopped FROM p_failing WHERE read_side_id = ?",
      readSideId,
    )
    .one();
  return { retrying: row.retrying ?? 0, stopped: row.stopped ?? 0 };
}

/** Forgets every failing cursor of a read side (deleted, or restarted as a whole). */
export function dropFailing(sql: SqlStorage, readSideId: string): void {
  sql.exec("DELETE FROM p_failing WHERE read_side_id = ?", readSideId);
}
