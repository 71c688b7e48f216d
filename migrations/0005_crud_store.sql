-- eskit's CRUD store: the type registry and the index of documents per type.
--
-- sh_crud_type: one JSON Schema per entity type (json_schema '' = no validation).
CREATE TABLE IF NOT EXISTS sh_crud_type (
  entity_type TEXT PRIMARY KEY,
  schema_version INTEGER NOT NULL,
  json_schema TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- sh_crud_doc: every document's newest version known to the log and whether it is deleted. Written
-- by the `$log` read side in the same D1 transaction that appends the document's events to the log,
-- so it lags the journal exactly as the log does and, like the log, misses no committed event.
CREATE TABLE IF NOT EXISTS sh_crud_doc (
  entity_type TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (entity_type, doc_id)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS sh_crud_doc_live ON sh_crud_doc (entity_type, deleted, doc_id);
