// Metric counters kept by a partition log: each segment carries its batch's deltas; folds add them into log_counter.
import { type SegmentMeta, readMeta, writeMeta } from "./segment-meta.js";

/**
 * How much one batch adds to one (series, labels); labels as JSON with sorted keys. The same shape
 * as metrics/'s CounterDelta (eventlog/ sits below metrics/, which imports it, so it cannot import it back).
 */
export interface LogCounterDelta {
  series: string;
  labels: string;
  value: number;
}

/**
 * Unfolded segments past which reading the totals folds them first, so a scrape sums a bounded
 * number of segments' deltas; a fold writes one row per changed (series, labels) and the meta row.
 */
export const COUNTERS_UNFOLDED_MAX = 256;
/** Segments one fold takes at most, so a partition that was never scraped folds in bounded steps. */
export const COUNTERS_FOLD_MAX = 4096;

/** The counters' side of a partition log. */
export interface SegmentCounters {
  /**
   * Adds the deltas of the oldest unfolded segments — at most `maxSegments`, none past offset
   * `through` — to log_counter. Leaves the meta row to the caller; returns the new folded_through
   * and how many segments it folded.
   */
  fold(meta: SegmentMeta, maxSegments: number, through: number): { foldedThrough: number; segments: number };
  /** The totals, folding first (and writing the meta row) when too many segments are unfolded. */
  totals(): LogCounterDelta[];
}

/** A segment's `counters` column: [[series, labels, value], …], or null for none. */
export function countersJson(deltas: readonly LogCounterDelta[]): string | null {
  const kept = deltas.filter((d) => d.value !== 0);
  return kept.length === 0 ? null : JSON.stringify(kept.map((d) => [d.series, d.labels, d.value]));
}

/** SegmentCounters over the partition's SQLite. */
export function createSegmentCounters(sql: SqlStorage): SegmentCounters {
  const fold: SegmentCounters["fold"] = (meta, maxSegments, through) => {
    const rows = sql
      .exec<{ last_offset: number; counters: string | null }>(
        "SELECT last_offset, counters FROM log_segment WHERE first_offset > ?1 AND first_offset <= ?2 ORDER BY first_offset LIMIT ?3",
        meta.foldedThrough,
        through,
        Math.max(0, maxSegments),
      )
      .toArray();
    const last = rows.at(-1);
    if (last === undefined) return { foldedThrough: meta.foldedThrough, segments: 0 };
    for (const d of sum(rows.map((r) => r.counters))) {
      sql.exec(
        `INSERT INTO log_counter (series, labels, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (series, labels) DO UPDATE SET value = value + excluded.value`,
        d.series,
        d.labels,
        d.value,
      );
    }
    return { foldedThrough: Math.max(meta.foldedThrough, last.last_offset), segments: rows.length };
  };

  return {
    fold,
    totals() {
      let meta = readMeta(sql);
      const unfolded = sql.exec<{ n: number }>("SELECT count(*) AS n FROM log_segment WHERE first_offset > ?", meta.foldedThrough).one().n;
      if (unfolded > COUNTERS_UNFOLDED_MAX) {
        meta = { ...meta, foldedThrough: fold(meta, COUNTERS_FOLD_MAX, Number.MAX_SAFE_INTEGER).foldedThrough };
        writeMeta(sql, meta);
      }
      const folded = sql.exec<{ series: string; labels: string; value: number }>("SELECT series, labels, value FROM log_counter").toArray();
      const pending = sql
        .exec<{ counters: string }>("SELECT counters FROM log_segment WHERE first_offset > ? AND counters IS NOT NULL", meta.foldedThrough)
        .toArray()
        .map((r) => r.counters);
      const all = sum([JSON.stringify(folded.map((d) => [d.series, d.labels, d.value])), ...pending]);
      return all.sort((a, b) => (a.series === b.series ? compare(a.labels, b.labels) : compare(a.series, b.series)));
    },
  };
}

/** Sums `counters` columns per (series, labels), leaving out what sums to 0. */
function sum(columns: readonly (string | null)[]): LogCounterDelta[] {
  const totals = new Map<string, LogCounterDelta>();
  for (const text of columns) {
    if (text === null) continue;
    for (const [series, labels, value] of JSON.parse(text) as [string, string, number][]) {
      const key = `${series}\u0000${labels}`;
      const t = totals.get(key);
      if (t === undefined) totals.set(key, { series, labels, value });
      else t.value += value;
    }
  }
  return [...totals.values()].filter((t) => t.value !== 0);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
