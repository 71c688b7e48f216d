// Reads what GET /metrics serves: the kept counters and gauges computed by a fixed set of D1 queries.
import type { MetricFamily, Sample } from "./exposition.js";
import {
  DEAD_LETTERS_PENDING,
  ESKIT_EVENTS_STREAM_COUNT,
  ESKIT_EVENTS_STREAM_LAST_ID,
  KEPT_COUNTERS,
  LOG_ENTRIES,
  READ_SIDE_LAG,
  READ_SIDE_PARKED,
} from "./series.js";

/** Most counter rows one scrape reads: series times label sets grows with event types, not events. */
export const MAX_COUNTER_ROWS = 10_000;

type CounterRow = { series: string; labels: string; value: number };
type SideRow = { id: string; handled: number | null };
type ParkedRow = { read_side_id: string; n: number };

/**
 * One D1 batch: the counters table, the log's bounds (rowid min and max), the entity index's total
 * of heads, each read side's handled revisions (a GROUP BY over its current cursors), parked events
 * per read side and pending dead letters. Lag is total heads minus handled revisions (capped at each
 * entity's head), so an entity a read side has no cursor for yet counts with its whole history.
 */
export async function readMetrics(db: D1Database): Promise<MetricFamily[]> {
  const [counters, bounds, heads, sides, parked, letters] = await db.batch([
    db.prepare("SELECT series, labels, value FROM sh_metric_counter ORDER BY series, labels LIMIT ?1").bind(MAX_COUNTER_ROWS),
    db.prepare("SELECT coalesce(max(log_offset), 0) AS head, coalesce(min(log_offset), 0) AS first FROM sh_log"),
    db.prepare("SELECT coalesce(sum(head_revision), 0) AS total FROM sh_entity"),
    db.prepare(
      `SELECT r.id, sum(min(c.revision, e.head_revision)) AS handled
       FROM sh_read_side r
         LEFT JOIN sh_cursor c ON c.read_side_id = r.id AND c.generation = r.generation
         LEFT JOIN sh_entity e ON e.entity_id = c.entity_id
       GROUP BY r.id ORDER BY r.id`,
    ),
    db.prepare("SELECT read_side_id, count(*) AS n FROM sh_parked GROUP BY read_side_id"),
    db.prepare("SELECT count(*) AS n FROM sh_dead_letter WHERE replayed_at IS NULL"),
  ]);
  const { head, first } = (bounds?.results[0] ?? { head: 0, first: 0 }) as { head: number; first: number };
  const totalHeads = Number((heads?.results[0] as { total: number } | undefined)?.total ?? 0);
  const parkedBy = new Map(((parked?.results ?? []) as ParkedRow[]).map((r) => [r.read_side_id, r.n]));
  const sideRows = (sides?.results ?? []) as SideRow[];
  const kept = new Map<string, Sample[]>();
  for (const r of (counters?.results ?? []) as CounterRow[]) {
    const samples = kept.get(r.series) ?? [];
    samples.push({ labels: JSON.parse(r.labels) as Record<string, string>, value: r.value });
    kept.set(r.series, samples);
  }
  return [
    ...KEPT_COUNTERS.map((spec) => ({ spec, samples: kept.get(spec.name) ?? [] })),
    { spec: ESKIT_EVENTS_STREAM_LAST_ID, samples: [{ labels: {}, value: head }] },
    { spec: ESKIT_EVENTS_STREAM_COUNT, samples: [{ labels: {}, value: head }] },
    { spec: LOG_ENTRIES, samples: [{ labels: {}, value: head === 0 ? 0 : head - first + 1 }] },
    { spec: READ_SIDE_LAG, samples: sideRows.map((r) => ({ labels: { read_side: r.id }, value: Math.max(0, totalHeads - Number(r.handled ?? 0)) })) },
    { spec: READ_SIDE_PARKED, samples: sideRows.map((r) => ({ labels: { read_side: r.id }, value: parkedBy.get(r.id) ?? 0 })) },
    { spec: DEAD_LETTERS_PENDING, samples: [{ labels: {}, value: Number((letters?.results[0] as { n: number } | undefined)?.n ?? 0) }] },
  ];
}
