-- Partitions: D1 keeps the control plane; everything that grows with events or entities moves to
-- the partitions' own stores (PartitionObject). This table is the history of partition layouts:
-- one row per STATEHOUSE_PARTITIONS value the deployment has run with, oldest first, so a
-- partition can tell which shards it must take over from which partition after a resize.
CREATE TABLE IF NOT EXISTS sh_partition_layout (
  version INTEGER PRIMARY KEY,
  partitions INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO sh_partition_layout (version, partitions, created_at)
SELECT 1, 1, CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE NOT EXISTS (SELECT 1 FROM sh_partition_layout);

-- Named consumers' positions become text: with several partitions a position is one offset per
-- partition ("15-0-7"); with one it is the offset, as before (log_offset keeps it too).
ALTER TABLE sh_log_consumer ADD COLUMN position TEXT;
