-- Cursors without leases, keyed to a read side's generation; the entity index's head kept lazily.
--
-- A read side gets a random `generation` when it is created: a cursor counts only while its
-- generation matches, so a consumer that still holds a deleted read side's definition can never
-- hand its position to a new read side with the same id. Leases are gone: a cursor commit is a
-- compare-and-set on (generation, epoch, revision), so a second consumer at worst re-delivers.
ALTER TABLE sh_read_side ADD COLUMN generation TEXT NOT NULL DEFAULT '';
UPDATE sh_read_side SET generation = lower(hex(randomblob(8))) WHERE generation = '';
ALTER TABLE sh_cursor ADD COLUMN generation TEXT NOT NULL DEFAULT '';
UPDATE sh_cursor SET generation = coalesce((SELECT r.generation FROM sh_read_side r WHERE r.id = sh_cursor.read_side_id), '');
ALTER TABLE sh_cursor DROP COLUMN lease_owner;
ALTER TABLE sh_cursor DROP COLUMN lease_until;
-- When a read side (re)started from scratch: created, or restarted as a whole. A cursor at 0 that
-- finds the journal compacted after this time (the events were owed to it) stops with an explicit error.
ALTER TABLE sh_read_side ADD COLUMN started_at INTEGER NOT NULL DEFAULT 0;
UPDATE sh_read_side SET started_at = created_at;
-- When a cursor was last restarted (by any restart scope); 0 if never.
ALTER TABLE sh_cursor ADD COLUMN restarted_at INTEGER NOT NULL DEFAULT 0;
-- Only failing cursors are indexed by status: a healthy cursor's write touches no index row.
DROP INDEX IF EXISTS sh_cursor_status;
CREATE INDEX IF NOT EXISTS sh_cursor_failing ON sh_cursor (read_side_id, status) WHERE status != 'ok';
