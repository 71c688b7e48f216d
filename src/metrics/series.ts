// The series GET /metrics serves: names, types and help texts in one place (eskit's own come from eskit/store).
import { ESKIT_EVENTS_CRUD_TOTAL, ESKIT_EVENTS_STORE_TOTAL } from "../eskit/store/index.js";

/** A Prometheus metric type this exposition uses. */
export type MetricType = "counter" | "gauge";

/** A series' name, type and help text. */
export interface SeriesSpec {
  name: string;
  type: MetricType;
  help: string;
}

/** Statehouse's own series. */
export const EVENTS_COMMITTED_TOTAL: SeriesSpec = {
  name: "statehouse_events_committed_total",
  type: "counter",
  help: "Events committed, by the type the global log files them under, counted as the log takes them.",
};
export const LOG_ENTRIES: SeriesSpec = {
  name: "statehouse_log_entries",
  type: "gauge",
  help: "Entries the global log holds now (after retention).",
};
export const LOG_HOT_ENTRIES: SeriesSpec = {
  name: "statehouse_log_hot_entries",
  type: "gauge",
  help: "Entries each partition's log holds in its own store (the rest is archived); the log pauses at STATEHOUSE_LOG_HOT_MAX_ENTRIES.",
};
export const READ_SIDE_LAG: SeriesSpec = {
  name: "statehouse_read_side_lag_events",
  type: "gauge",
  help: "Events a read side has yet to handle, summed over the entity index.",
};
export const READ_SIDE_WAIT: SeriesSpec = {
  name: "statehouse_read_side_oldest_wait_seconds",
  type: "gauge",
  help: "How long the oldest event a read side has not handled has waited since its partition first knew of it (0 when none waits; no sample while a lagging entity's wait is not known).",
};
export const READ_SIDE_PARKED: SeriesSpec = {
  name: "statehouse_read_side_parked_events",
  type: "gauge",
  help: "Events a read side gave up on and parked for replay.",
};
export const DEAD_LETTERS_PENDING: SeriesSpec = {
  name: "statehouse_dead_letters_pending",
  type: "gauge",
  help: "Queue messages that exhausted their retries and were not replayed yet.",
};

/** The counters the pipeline keeps in sh_metric_counter, by name. */
export const COMMANDS_TOTAL: SeriesSpec = {
  name: "statehouse_commands_total",
  type: "counter",
  help: "Commands the front door answered, by outcome (ok or the error code); counted per Worker isolate and written to D1 at most every 10 s, so an isolate that stops first loses its last counts.",
};
export const ERRORS_TOTAL: SeriesSpec = {
  name: "statehouse_errors_total",
  type: "counter",
  help: "Errors the front door answered on any API, by code; counted per Worker isolate and written to D1 at most every 10 s, so an isolate that stops first loses its last counts.",
};
export const KEPT_COUNTERS: readonly SeriesSpec[] = [ESKIT_EVENTS_STORE_TOTAL, ESKIT_EVENTS_CRUD_TOTAL, EVENTS_COMMITTED_TOTAL, COMMANDS_TOTAL, ERRORS_TOTAL];
