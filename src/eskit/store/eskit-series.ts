// eskit's metric series, named and labelled as eskit's exporters named them, and what a log row adds to its counters.
import { parseCrudEntityId } from "./crud-id.js";

/** eskit's own series (a metrics/ SeriesSpec each). */
export const ESKIT_EVENTS_STORE_TOTAL = {
  name: "eskit_events_store_total",
  type: "counter",
  help: "Total events in the eventstore (eskit events: EventstoreService.Append and the CRUD store), by entity_type and event_type.",
} as const;
export const ESKIT_EVENTS_CRUD_TOTAL = {
  name: "eskit_events_crud_total",
  type: "counter",
  help: "Total events for the crudstore (Created, Updated, Deleted of CRUD documents), by entity_type and event_type.",
} as const;
export const ESKIT_EVENTS_STREAM_LAST_ID = {
  name: "eskit_events_stream_last_id",
  type: "gauge",
  help: "LastID in the stream: the global log's newest offset.",
} as const;
export const ESKIT_EVENTS_STREAM_COUNT = {
  name: "eskit_events_stream_count",
  type: "counter",
  help: "Stream Count: entries ever appended to the global log (offsets are gap-free from 1).",
} as const;

/**
 * eskit's split of an event type: the entity type is everything before the last ".", the event
 * type what follows it ("com.acme.User.Created" is "com.acme.User" and "Created"), as eskit's
 * ExtractEntityType and ExtractEventType split it.
 */
export function splitEskitType(eventType: string): { entityType: string; eventType: string } {
  const dot = eventType.lastIndexOf(".");
  return dot < 0 ? { entityType: "", eventType } : { entityType: eventType.slice(0, dot), eventType: eventType.slice(dot + 1) };
}

/**
 * What one log row of `entityId` adds to eskit's counters: an eskit event one to
 * eskit_events_store_total, and one of a CRUD document's entity one to eskit_events_crud_total too
 * (eskit's CRUD store wrote through its event store, so its events count in both, as eskit's
 * exporter counted them), by entity_type and event_type. Nothing for any other event.
 */
export function eskitCounts(entityId: string, row: { eventType: string; eskit?: boolean }): { series: string; labels: Record<string, string> }[] {
  if (row.eskit !== true) return [];
  const split = splitEskitType(row.eventType);
  const labels = { entity_type: split.entityType, event_type: split.eventType };
  const counts: { series: string; labels: Record<string, string> }[] = [{ series: ESKIT_EVENTS_STORE_TOTAL.name, labels }];
  if (parseCrudEntityId(entityId) !== undefined) counts.push({ series: ESKIT_EVENTS_CRUD_TOTAL.name, labels });
  return counts;
}
