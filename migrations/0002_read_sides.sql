-- Read sides: definitions, per-entity cursors, the entity index, parked events and dead letters.

-- A registered read side. `source` is 'api' or 'config' (declared in STATEHOUSE_READ_SIDES).
-- `secret` is write-only: the admin API never returns it.
CREATE TABLE IF NOT EXISTS sh_read_side (
  id TEXT PRIMARY KEY,
  url TEXT,
  binding TEXT,
  protocol TEXT NOT NULL,
  timeout_ms INTEGER NOT NULL,
  policy TEXT NOT NULL,
  retries INTEGER NOT NULL,
  backoff_ms INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  event_types TEXT NOT NULL DEFAULT '[]',
  secret TEXT,
  source TEXT NOT NULL DEFAULT 'api',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Shards paused by PauseReadSideByShard (a shard is a stable hash bucket of the entity id).
CREATE TABLE IF NOT EXISTS sh_read_side_shard_pause (
  read_side_id TEXT NOT NULL,
  shard INTEGER NOT NULL,
  PRIMARY KEY (read_side_id, shard)
) WITHOUT ROWID;

-- Every entity the consumer has seen, with the newest revision it knows of (for restart and lag).
CREATE TABLE IF NOT EXISTS sh_entity (
  entity_id TEXT PRIMARY KEY,
  shard INTEGER NOT NULL,
  head_revision INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sh_entity_shard ON sh_entity (shard, entity_id);

-- One cursor per (read side, entity): `revision` is the last event the read side has handled.
-- `status` is 'ok', 'retrying' or 'stopped'; `failed_revision`/`last_error` describe the head
-- event that failed. `lease_owner`/`lease_until` serialise delivery per (read side, entity);
-- `epoch` grows on every restart or skip, so a consumer that started before it cannot commit
-- after it. `retry_at` is when a 'retrying' cursor's scheduled retry is due (backoff).
CREATE TABLE IF NOT EXISTS sh_cursor (
  read_side_id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  shard INTEGER NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'ok',
  attempts INTEGER NOT NULL DEFAULT 0,
  failed_revision INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  lease_owner TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  epoch INTEGER NOT NULL DEFAULT 0,
  retry_at INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (read_side_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sh_cursor_status ON sh_cursor (read_side_id, status);

-- Events a read side gave up on (SKIP policies, operator skips), kept for replay.
CREATE TABLE IF NOT EXISTS sh_parked (
  read_side_id TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  parked_at INTEGER NOT NULL,
  PRIMARY KEY (read_side_id, entity_id, revision)
) WITHOUT ROWID;

-- Queue messages that exhausted their retries, recorded by the dead-letter consumer for replay.
CREATE TABLE IF NOT EXISTS sh_dead_letter (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  replayed_at INTEGER
);
