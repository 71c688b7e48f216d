// Public surface of eskit/: eskit's event store semantics over Statehouse's entities and global log.
export { parseDecimal } from "./decimal.js";
export { type AppendTarget, type CommittedEvent, checkAppendEvent, toEskitEvent } from "./eskit-event.js";
export {
  type EskitEventStore,
  type EskitEventStoreDeps,
  GET_EVENTS_MAX_BYTES,
  LOGS_DEFAULT_SIZE,
  LOGS_MAX_BYTES,
  createEskitEventStore,
} from "./event-store.js";
export { type LogSelector, parseLogSelector } from "./selector.js";
