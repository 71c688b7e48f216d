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
-- The reconciler finds due retries without scanning every cursor.
CREATE INDEX IF NOT EXISTS sh_cursor_retry ON sh_cursor (status, retry_at);
-- Dead letters the dead-letter consumer could not read as a delivery are still kept; the ones it
-- could are also folded into sh_entity, so the reconciler re-delivers them by itself.
