-- Counters behind GET /metrics: one row per (series, label set), never one per event.
--
-- Kept by the `$log` read side: each consumer batch adds its per-(series, labels) deltas in the
-- same D1 transaction that appends the batch's events to the log, under the same compare-and-set
-- on the `$log` cursor, so a batch whose append does not take (a racing consumer, a redelivery)
-- counts nothing, and one that takes counts once. `labels` is a JSON object with sorted keys.
CREATE TABLE IF NOT EXISTS sh_metric_counter (
  series TEXT NOT NULL,
  labels TEXT NOT NULL,
  value INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (series, labels)
) WITHOUT ROWID;
