// The entity's SQLite tables, each created by the first write that needs it.

/**
 * Table definitions. A table is created inside the transaction of the first write that needs it,
 * so an entity that is only read (GetState on an unknown id) writes nothing, and a new entity
 * pays for the journal table alone (a CREATE TABLE writes two rows) until it takes a snapshot or
 * sees an idempotency key. There is no version row: the schema is what sqlite_master lists, and a
 * future change to a table inspects sqlite_master or `PRAGMA table_info` to migrate.
 */
export const TABLES = {
  // One row per event (INTEGER PRIMARY KEY is the rowid: no second index row), holding the event,
  // the resulting state and the meta, plus `published`: the outbox mark as it stood when the row
  // was written, so the outbox costs no extra row.
  sh_journal: `CREATE TABLE IF NOT EXISTS sh_journal (
     revision INTEGER PRIMARY KEY,
     event BLOB NOT NULL,
     state BLOB NOT NULL,
     meta BLOB NOT NULL,
     published INTEGER NOT NULL
   )`,
  sh_snapshot: `CREATE TABLE IF NOT EXISTS sh_snapshot (
     revision INTEGER PRIMARY KEY,
     state BLOB NOT NULL,
     meta BLOB NOT NULL
   )`,
  // One row: how far compaction has deleted, and when (a read side that began before then was
  // owed what it deleted).
  sh_compaction: `CREATE TABLE IF NOT EXISTS sh_compaction (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     up_to INTEGER NOT NULL,
     at INTEGER NOT NULL
   )`,
  sh_idempotency: `CREATE TABLE IF NOT EXISTS sh_idempotency (
     key TEXT PRIMARY KEY,
     revision INTEGER NOT NULL,
     command_hash BLOB NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID`,
} as const;

/** The name of one of Statehouse's tables. */
export type TableName = keyof typeof TABLES;

/** The Statehouse tables this object already has (a read of sqlite_master; writes nothing). */
export function existingTables(sql: SqlStorage): Set<TableName> {
  const names = sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .toArray()
    .map((r) => r.name);
  return new Set(names.filter((n): n is TableName => n in TABLES));
}
