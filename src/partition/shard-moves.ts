// A resize moves whole shards between partitions: the old owner seals and exports a shard, the new one imports it, then the old one lets go.
import { type DocRow, dropDocRows, exportDocRows, importDocRows } from "../eskit/store/index.js";
import type { EntityRow } from "./entity-rows.js";
import { ROW_COLUMNS, readEntityRows, toEntityRow, writeEntityRows, type RowRecord } from "./entity-rows.js";
import { mergeMarks } from "./waiting.js";
import type { FailingRow } from "./failing.js";

/**
 * A shard's state in this partition for one layout version (no row: decided by the layout alone).
 * The new owner: importing → releasing → owned. The old owner: leaving → sealed → released.
 */
export type ShardState = "importing" | "releasing" | "owned" | "leaving" | "sealed" | "released";

/** A shard's row: its state, the layout version it refers to, the partition on the other side, and progress. */
export type ShardRecord = {
  shard: number;
  state: ShardState;
  version: number;
  peer: number;
  /** The old owner: its log's head when it sealed the shard. The new owner: the same, once known. */
  through: number;
  /** The new owner: the last entity id imported ("" before the first page). */
  after: string;
};

/** The moves table (idempotent). */
export const SHARD_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS p_shard (
     shard INTEGER PRIMARY KEY,
     state TEXT NOT NULL,
     version INTEGER NOT NULL,
     peer INTEGER NOT NULL,
     through INTEGER NOT NULL DEFAULT 0,
     after TEXT NOT NULL DEFAULT '',
     updated_at INTEGER NOT NULL
   )`,
] as const;

/** Every shard with a row. */
export function readShards(sql: SqlStorage): Map<number, ShardRecord> {
  const rows = sql.exec<ShardRecord>("SELECT shard, state, version, peer, through, after FROM p_shard").toArray();
  return new Map(rows.map((r) => [r.shard, { ...r }]));
}

/** Writes a shard's row. */
export function writeShard(sql: SqlStorage, r: ShardRecord, now: number): void {
  sql.exec(
    `INSERT INTO p_shard (shard, state, version, peer, through, after, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (shard) DO UPDATE SET state = ?2, version = ?3, peer = ?4, through = ?5, after = ?6, updated_at = ?7`,
    r.shard,
    r.state,
    r.version,
    r.peer,
    r.through,
    r.after,
    now,
  );
}

/** A page of a shard's export: entity rows with their failing cursors, parked events and document index rows. */
export interface ShardPage {
  entities: RowRecord[];
  failing: FailingRow[];
  parked: { readSideId: string; entityId: string; revision: number; reason: string; attempts: number; parkedAt: number }[];
  docs: DocRow[];
  /** The last entity id of the page; undefined after the last page. */
  next: string | undefined;
}

/** Entity rows per export page (each up to a few KB of cursors). */
export const EXPORT_PAGE = 200;

/** The shard's rows after `after`, by entity id, with what hangs off them. */
export function exportShardPage(sql: SqlStorage, shard: number, after: string, limit = EXPORT_PAGE): ShardPage {
  const entities = sql
    .exec<RowRecord>(`SELECT ${ROW_COLUMNS} FROM p_entity WHERE shard = ?1 AND entity_id > ?2 ORDER BY entity_id LIMIT ?3`, shard, after, limit)
    .toArray();
  const ids = JSON.stringify(entities.map((e) => e.entity_id));
  const failing = sql
    .exec<{ read_side_id: string; entity_id: string; shard: number; status: "retrying" | "stopped"; retry_at: number }>(
      "SELECT f.read_side_id, f.entity_id, f.shard, f.status, f.retry_at FROM json_each(?1) j CROSS JOIN p_failing f ON f.entity_id = j.value",
      ids,
    )
    .toArray()
    .map((f) => ({ readSideId: f.read_side_id, entityId: f.entity_id, shard: f.shard, status: f.status, retryAt: f.retry_at }));
  const parked = sql
    .exec<{ read_side_id: string; entity_id: string; revision: number; reason: string; attempts: number; parked_at: number }>(
      "SELECT p.read_side_id, p.entity_id, p.revision, p.reason, p.attempts, p.parked_at FROM json_each(?1) j CROSS JOIN p_parked p ON p.entity_id = j.value",
      ids,
    )
    .toArray()
    .map((p) => ({ readSideId: p.read_side_id, entityId: p.entity_id, revision: p.revision, reason: p.reason, attempts: p.attempts, parkedAt: p.parked_at }));
  const docs = exportDocRows(
    sql,
    entities.map((e) => e.entity_id),
  );
  return { entities, failing, parked, docs, next: entities.length === limit ? entities.at(-1)?.entity_id : undefined };
}

/** Takes an exported page in (run inside one transaction); a page taken twice changes nothing. */
export function importShardPage(sql: SqlStorage, page: ShardPage): void {
  const rows: EntityRow[] = page.entities.map(toEntityRow);
  // A row the new owner already has (an entity indexed by a message before the move finished) keeps the newer head.
  const existing = readEntityRows(
    sql,
    rows.map((r) => r.entityId),
  );
  writeEntityRows(
    sql,
    rows.map((r) => {
      const had = existing.get(r.entityId);
      return { ...r, head: Math.max(r.head, had?.head ?? 0), marks: mergeMarks(r.marks, had?.marks ?? []) };
    }),
  );
  for (const f of page.failing) {
    sql.exec(
      "INSERT OR REPLACE INTO p_failing (read_side_id, entity_id, shard, status, retry_at) VALUES (?, ?, ?, ?, ?)",
      f.readSideId,
      f.entityId,
      f.shard,
      f.status,
      f.retryAt,
    );
  }
  for (const p of page.parked) {
    sql.exec(
      "INSERT OR REPLACE INTO p_parked (read_side_id, entity_id, revision, reason, attempts, parked_at) VALUES (?, ?, ?, ?, ?, ?)",
      p.readSideId,
      p.entityId,
      p.revision,
      p.reason,
      p.attempts,
      p.parkedAt,
    );
  }
  importDocRows(sql, page.docs);
}

/** Deletes up to `limit` of a shard's entities with what hangs off them; true when none is left. */
export function dropShardRows(sql: SqlStorage, shard: number, limit = 1000): boolean {
  const ids = sql
    .exec<{ entity_id: string }>("SELECT entity_id FROM p_entity WHERE shard = ? LIMIT ?", shard, limit)
    .toArray()
    .map((r) => r.entity_id);
  if (ids.length === 0) return true;
  const list = JSON.stringify(ids);
  sql.exec("DELETE FROM p_failing WHERE entity_id IN (SELECT value FROM json_each(?1))", list);
  sql.exec("DELETE FROM p_parked WHERE entity_id IN (SELECT value FROM json_each(?1))", list);
  dropDocRows(sql, ids);
  sql.exec("DELETE FROM p_entity WHERE entity_id IN (SELECT value FROM json_each(?1))", list);
  return ids.length < limit;
}
