-- The global event log: every committed event once, with a gap-free increasing offset.
--
-- `log_offset` is the rowid: SQLite gives each insert max(rowid) + 1, a rolled-back batch leaves
-- no hole, and retention never deletes the newest row, so offsets never repeat or skip. Rows are
-- appended by the built-in read side `$log` (its cursor per entity is an ordinary sh_cursor row),
-- in revision order per entity, in the same D1 transaction that moves that cursor.
-- Payloads are base64 of the protobuf bytes the journal holds (google.protobuf.Any, MetaData).
-- `event` is NULL when the row would not fit D1's 2 MB row limit; the journal still has it.
CREATE TABLE IF NOT EXISTS sh_log (
  log_offset INTEGER PRIMARY KEY,
  entity_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  event TEXT,
  meta TEXT NOT NULL,
  state TEXT,
  appended_at INTEGER NOT NULL
);

-- Named consumers' positions in the log (eskit's consumer store): the last offset each handled.
CREATE TABLE IF NOT EXISTS sh_log_consumer (
  consumer_id TEXT PRIMARY KEY,
  log_offset INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- The log's own read side. Its id cannot collide with a user's (ids start with a letter or digit);
-- the admin APIs do not show it. It starts now: entities compacted before this migration enter
-- the log from their first retained event.
INSERT INTO sh_read_side (id, url, binding, protocol, timeout_ms, policy, retries, backoff_ms, enabled, paused,
  event_types, secret, source, created_at, updated_at, started_at, generation)
VALUES ('$log', NULL, NULL, 'connect', 1000, 'REPLAY_STOP', 0, 0, 1, 0, '[]', NULL, 'builtin',
  CAST(strftime('%s', 'now') AS INTEGER) * 1000, CAST(strftime('%s', 'now') AS INTEGER) * 1000,
  CAST(strftime('%s', 'now') AS INTEGER) * 1000, lower(hex(randomblob(8))))
ON CONFLICT (id) DO NOTHING;
