// Log rows and counter deltas for the partition log's tests (pure: imported by Node and workerd tests).
import type { LogCounterDelta, LogRow } from "../../src/eventlog/index.js";

/** A log row of `entityId` at `revision`; `bytes` sizes the event payload. */
export function logRow(entityId: string, revision: number, eventType = "test.v1.Thing", bytes = 3): LogRow {
  const event = new Uint8Array(bytes).fill(revision % 251);
  return { entityId, revision, eventType, event, meta: new TextEncoder().encode(`meta:${entityId}:${revision}`), state: undefined };
}

/** `n` rows of one entity from revision `from`, all of one type. */
export function logRows(entityId: string, from: number, n: number, eventType = "test.v1.Thing", bytes = 3): LogRow[] {
  return Array.from({ length: n }, (_, i) => logRow(entityId, from + i, eventType, bytes));
}

/** One delta per row of statehouse_events_committed_total by type, as the consumer counts them. */
export function deltasOf(rows: readonly LogRow[]): LogCounterDelta[] {
  const byType = new Map<string, number>();
  for (const r of rows) byType.set(r.eventType, (byType.get(r.eventType) ?? 0) + 1);
  return [...byType].map(([type, value]) => ({ series: "statehouse_events_committed_total", labels: JSON.stringify({ event_type: type }), value }));
}

/** Sums deltas per (series, labels), sorted as SegmentStore.counters sorts them. */
export function sumDeltas(deltas: readonly LogCounterDelta[]): LogCounterDelta[] {
  const totals = new Map<string, LogCounterDelta>();
  for (const d of deltas) {
    const key = `${d.series}\u0000${d.labels}`;
    const t = totals.get(key);
    if (t === undefined) totals.set(key, { ...d });
    else t.value += d.value;
  }
  return [...totals.values()].sort((a, b) => (a.series === b.series ? (a.labels < b.labels ? -1 : 1) : a.series < b.series ? -1 : 1));
}
