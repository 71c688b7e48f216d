// The counters a consumer batch adds: per-(series, labels) deltas from the log rows it appends, kept in its log segment.
import { eskitCounts } from "../eskit/store/index.js";
import type { LogRow } from "../eventlog/index.js";
import { EVENTS_COMMITTED_TOTAL } from "./series.js";

/** How much one append adds to one (series, labels); labels as JSON with sorted keys. */
export interface CounterDelta {
  series: string;
  labels: string;
  value: number;
}

/** Labels as the counters table keys them: a JSON object with sorted keys. */
export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * What one entity's appended rows add to each counter: every row to statehouse_events_committed_total
 * by its log type, and an eskit event to eskit's counters too (eskitCounts).
 */
export function countRows(entityId: string, rows: readonly LogRow[]): CounterDelta[] {
  const deltas = new Map<string, CounterDelta>();
  const add = (series: string, labels: Record<string, string>) => {
    const key = labelsKey(labels);
    const id = `${series}\u0000${key}`;
    const d = deltas.get(id);
    if (d === undefined) deltas.set(id, { series, labels: key, value: 1 });
    else d.value += 1;
  };
  for (const row of rows) {
    add(EVENTS_COMMITTED_TOTAL.name, { event_type: row.eventType });
    for (const c of eskitCounts(entityId, row)) add(c.series, c.labels);
  }
  return [...deltas.values()];
}

/** Adds up deltas of the same (series, labels), so a batch stores each counter once. */
export function mergeDeltas(deltas: readonly CounterDelta[]): CounterDelta[] {
  const merged = new Map<string, CounterDelta>();
  for (const d of deltas) {
    const id = `${d.series}\u0000${d.labels}`;
    const m = merged.get(id);
    if (m === undefined) merged.set(id, { ...d });
    else m.value += d.value;
  }
  return [...merged.values()];
}
