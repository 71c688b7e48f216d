// The entity's SQLite schema and its migrations, applied once per object start.

/** Ordered migrations; index + 1 is the schema version it brings the object to. */
const MIGRATIONS: readonly string[] = [
  // v1. One journal row per event (INTEGER PRIMARY KEY is the rowid: no second index row), holding
  // the event, the resulting state and the meta, plus `published`: the outbox mark as it stood when
  // the row was written, so the outbox costs no extra row.
  `CREATE TABLE IF NOT EXISTS sh_journal (
     revision INTEGER PRIMARY KEY,
     event BLOB NOT NULL,
     state BLOB NOT NULL,
     meta BLOB NOT NULL,
     published INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS sh_snapshot (
     revision INTEGER PRIMARY KEY,
     state BLOB NOT NULL,
     meta BLOB NOT NULL
   );
   CREATE TABLE IF NOT EXISTS sh_idempotency (
     key TEXT PRIMARY KEY,
     revision INTEGER NOT NULL,
     command_hash BLOB NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
];

/** Brings the object's schema to the latest version; each step runs in its own transaction. */
export function migrateSchema(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS sh_schema (version INTEGER NOT NULL) STRICT");
  const row = sql.exec<{ version: number }>("SELECT version FROM sh_schema").toArray()[0];
  let version = row?.version ?? 0;
  if (row === undefined) sql.exec("INSERT INTO sh_schema (version) VALUES (0)");
  while (version < MIGRATIONS.length) {
    const step = MIGRATIONS[version] as string;
    const next = version + 1;
    storage.transactionSync(() => {
      sql.exec(step);
      sql.exec("UPDATE sh_schema SET version = ?", next);
    });
    version = next;
  }
}
