// The counters a consumer batch adds: per-(series, labels) deltas from the log rows it appends, kept in its log segment.
import { parseCrudEntityId } from "../eskit/store/index.js";
import type { LogRow } from "../eventlog/index.js";
import { ESKIT_EVENTS_CRUD_TOTAL, ESKIT_EVENTS_STORE_TOTAL, EVENTS_COMMITTED_TOTAL } from "./series.js";

/** How much one append adds to one (series, labels); labels as JSON with sorted keys. */
export interface CounterDelta {
  series: string;
  labels: string;
  value: number;
}

/**
 * eskit's split of an event type: the entity type is everything before the last ".", the event
 * type what follows it ("com.acme.User.Created" is "com.acme.User" and "Created"), as eskit's
 * ExtractEntityType and ExtractEventType split it.
 */
export function splitEskitType(eventType: string): { entityType: string; eventType: string } {
  const dot = eventType.lastIndexOf(".");
  return dot < 0 ? { entityType: "", eventType } : { entityType: eventType.slice(0, dot), eventType: eventType.slice(dot + 1) };
}

/** Labels as the counters table keys them: a JSON object with sorted keys. */
export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * What one entity's appended rows add to each counter: every row to statehouse_events_committed_total
 * by its log type; an eskit event also to eskit_events_store_total, and one of a CRUD document's
 * entity also to eskit_events_crud_total (eskit's CRUD store wrote through its event store, so its
 * events count in both, as eskit's exporter counted them).
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
  const crud = parseCrudEntityId(entityId) !== undefined;
  for (const row of rows) {
    add(EVENTS_COMMITTED_TOTAL.name, { event_type: row.eventType });
    if (row.eskit !== true) continue;
    const labels = { entity_type: splitEskitType(row.eventType).entityType, event_type: splitEskitType(row.eventType).eventType };
    add(ESKIT_EVENTS_STORE_TOTAL.name, labels);
    if (crud) add(ESKIT_EVENTS_CRUD_TOTAL.name, labels);
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
