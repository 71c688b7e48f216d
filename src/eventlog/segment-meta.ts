// The partition log's one bookkeeping row: how far retention trimmed and how far counters were folded.

/** Offsets up to which the partition log trimmed segments and folded their counter deltas (0 = none). */
export interface SegmentMeta {
  trimmedThrough: number;
  foldedThrough: number;
}

/** The meta row, or zeros before the first trim or fold wrote it. */
export function readMeta(sql: SqlStorage): SegmentMeta {
  const row = sql.exec<{ trimmed_through: number; folded_through: number }>("SELECT trimmed_through, folded_through FROM log_meta WHERE id = 1").toArray()[0];
  return { trimmedThrough: row?.trimmed_through ?? 0, foldedThrough: row?.folded_through ?? 0 };
}

/** Writes the meta row: one row write, and only trims and folds write it (never an append). */
export function writeMeta(sql: SqlStorage, meta: SegmentMeta): void {
  sql.exec(
    `INSERT INTO log_meta (id, trimmed_through, folded_through) VALUES (1, ?1, ?2)
     ON CONFLICT (id) DO UPDATE SET trimmed_through = excluded.trimmed_through, folded_through = excluded.folded_through`,
    meta.trimmedThrough,
    meta.foldedThrough,
  );
}
