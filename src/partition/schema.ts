// The partition's SQLite tables: entity rows (index, cursors, the log's dedup), failing cursors, parked events, its own state.

/**
 * Idempotent schema statements, run under blockConcurrencyWhile when the object starts. The
 * log's segments and the documents' index have their own (eventlog/, docstore/).
 */
export const PARTITION_SCHEMA = [
  // One row per entity of the partition's shards: the entity index (its newest known revision)
  // and every read side's cursor (the log's `$log` included) in one JSON object, so a batch that
  // moves an entity on every read side writes one row. The shard index is written once per entity
  // (its key never changes).
  `CREATE TABLE IF NOT EXISTS p_entity (
     entity_id TEXT PRIMARY KEY,
     shard INTEGER NOT NULL,
     head INTEGER NOT NULL,
     cursors TEXT NOT NULL DEFAULT '{}',
     updated_at INTEGER NOT NULL,
     marks TEXT NOT NULL DEFAULT '[]'
   ) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS p_entity_shard ON p_entity (shard, entity_id)",
  // Cursors that are not ok (retrying or stopped), so status, retries and skips never scan every
  // entity. Written only when a cursor starts or stops failing, or reschedules its retry.
  `CREATE TABLE IF NOT EXISTS p_failing (
     read_side_id TEXT NOT NULL,
     entity_id TEXT NOT NULL,
     shard INTEGER NOT NULL,
     status TEXT NOT NULL,
     retry_at INTEGER NOT NULL,
     PRIMARY KEY (read_side_id, entity_id)
   ) WITHOUT ROWID`,
  // Events a read side gave up on (SKIP policies, operator skips), kept for replay.
  `CREATE TABLE IF NOT EXISTS p_parked (
     read_side_id TEXT NOT NULL,
     entity_id TEXT NOT NULL,
     revision INTEGER NOT NULL,
     reason TEXT NOT NULL,
     attempts INTEGER NOT NULL,
     parked_at INTEGER NOT NULL,
     PRIMARY KEY (read_side_id, entity_id, revision)
   ) WITHOUT ROWID`,
  // Small state: the reconciler's walk position, shard ownership during a resize.
  "CREATE TABLE IF NOT EXISTS p_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
] as const;

/**
 * Brings a store created before a column existed up to PARTITION_SCHEMA (SQLite has no ADD COLUMN
 * IF NOT EXISTS). Rows from before `marks` existed have none: how long their events waited is unknown.
 */
export function upgradePartitionSchema(sql: SqlStorage): void {
  const columns = new Set(sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('p_entity')").toArray().map((c) => c.name));
  if (!columns.has("marks")) sql.exec("ALTER TABLE p_entity ADD COLUMN marks TEXT NOT NULL DEFAULT '[]'");
}
