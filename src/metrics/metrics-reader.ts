// What GET /metrics serves: counters and gauges added up over the partitions and the control plane, read at scrape time.
import type { CounterDelta } from "./counter-deltas.js";
import { mergeDeltas } from "./counter-deltas.js";
import type { MetricFamily, Sample } from "./exposition.js";
import { ESKIT_EVENTS_STREAM_COUNT, ESKIT_EVENTS_STREAM_LAST_ID } from "../eskit/store/index.js";
import {
  DEAD_LETTERS_PENDING,
  KEPT_COUNTERS,
  LOG_ENTRIES,
  LOG_HOT_ENTRIES,
  READ_SIDE_LAG,
  READ_SIDE_PARKED,
  READ_SIDE_WAIT,
} from "./series.js";

/** Most counter rows one scrape reads from the control plane: series times label sets grows with codes, not requests. */
export const MAX_COUNTER_ROWS = 10_000;

/** What one partition reports at scrape time (its log's first offset spans the archive; hotFirst is its store's). */
export interface PartitionMetricsInput {
  counters: CounterDelta[];
  log: { head: number; first: number; hotFirst: number };
  totalHeads: number;
  handled: Map<string, number>;
  waitingSince: Map<string, number | null>;
  parked: Map<string, number>;
}

/** Everything a scrape adds up. */
export interface MetricsInput {
  partitions: PartitionMetricsInput[];
  /** Counters kept in the control plane: commands and errors, and event counters from before partitions. */
  controlCounters: CounterDelta[];
  deadLettersPending: number;
  /** Every read side's id, `$log` included. */
  readSides: string[];
  /** The scrape's time (ms), for the wait gauge. */
  now: number;
}

/**
 * The families GET /metrics renders. Counters add up over partitions (each counts the events its
 * log took) and the control plane. The log's gauges: with one partition its head is eskit's last
 * id, as before; with several, the sum of the partitions' heads, which is the number of entries
 * ever appended (offsets are gap-free from 1 in each). Lag is total heads minus handled revisions.
 */
export function metricFamilies(input: MetricsInput): MetricFamily[] {
  const counters = mergeDeltas([...input.controlCounters, ...input.partitions.flatMap((p) => p.counters)]);
  const kept = new Map<string, Sample[]>();
  for (const c of counters.sort((a, b) => (a.series + a.labels < b.series + b.labels ? -1 : 1))) {
    const samples = kept.get(c.series) ?? [];
    samples.push({ labels: JSON.parse(c.labels) as Record<string, string>, value: c.value });
    kept.set(c.series, samples);
  }
  const sum = (f: (p: PartitionMetricsInput) => number) => input.partitions.reduce((a, p) => a + f(p), 0);
  const appended = sum((p) => p.log.head);
  const held = sum((p) => (p.log.head === 0 || p.log.first > p.log.head ? 0 : p.log.head - p.log.first + 1));
  const totalHeads = sum((p) => p.totalHeads);
  const sides = [...input.readSides].sort();
  return [
    ...KEPT_COUNTERS.map((spec) => ({ spec, samples: kept.get(spec.name) ?? [] })),
    { spec: ESKIT_EVENTS_STREAM_LAST_ID, samples: [{ labels: {}, value: appended }] },
    { spec: ESKIT_EVENTS_STREAM_COUNT, samples: [{ labels: {}, value: appended }] },
    { spec: LOG_ENTRIES, samples: [{ labels: {}, value: held }] },
    { spec: LOG_HOT_ENTRIES, samples: input.partitions.map((p, i) => ({ labels: { partition: String(i) }, value: Math.max(0, p.log.head - p.log.hotFirst + 1) })) },
    { spec: READ_SIDE_LAG, samples: sides.map((id) => ({ labels: { read_side: id }, value: Math.max(0, totalHeads - sum((p) => p.handled.get(id) ?? 0)) })) },
    { spec: READ_SIDE_WAIT, samples: sides.flatMap((id) => waitSample(input, id)) },
    { spec: READ_SIDE_PARKED, samples: sides.map((id) => ({ labels: { read_side: id }, value: sum((p) => p.parked.get(id) ?? 0) })) },
    { spec: DEAD_LETTERS_PENDING, samples: [{ labels: {}, value: input.deadLettersPending }] },
  ];
}

/**
 * Whole seconds since the oldest wait of `readSideId` over every partition, 0 when nothing waits;
 * no sample while a lagging entity's wait is not known (it may be the oldest).
 */
function waitSample(input: MetricsInput, readSideId: string): Sample[] {
  const waits = input.partitions.map((p) => p.waitingSince.get(readSideId));
  if (waits.some((w) => w === null)) return [];
  const since = Math.min(...waits.map((w) => w ?? Number.POSITIVE_INFINITY));
  return [{ labels: { read_side: readSideId }, value: Number.isFinite(since) ? Math.max(0, Math.floor((input.now - since) / 1000)) : 0 }];
}

/** The counters kept in the control plane (D1): commands and errors, and any from before partitions. */
export async function readControlCounters(db: D1Database): Promise<CounterDelta[]> {
  const rows = await db.prepare("SELECT series, labels, value FROM sh_metric_counter ORDER BY series, labels LIMIT ?1").bind(MAX_COUNTER_ROWS).all<CounterDelta>();
  return rows.results;
}
