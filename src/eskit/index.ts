// Public surface of eskit/: eskit's event store semantics over Statehouse's entities and global log.
export { appendEskitEvent } from "./append-event.js";
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
export { eskitLogId, idOfPosition, positionOfId, startOfFromId } from "./log-ids.js";
export {
  type CommitCrudCommand,
  type CrudDocuments,
  type CrudDocumentsDeps,
  type DocHistoryItem,
  type DocVersion,
  type IfMatch,
  HISTORY_MAX_BYTES,
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  MAX_DOCUMENT_DEPTH,
  createCrudDocuments,
  parseDocument,
} from "./crud-documents.js";
export { type CrudTypes, LIST_TYPES_DEFAULT_LIMIT, LIST_TYPES_MAX_LIMIT, createCrudTypes } from "./crud-types.js";
export { type EskitBuiltinName, eskitBuiltins } from "./builtin-handlers.js";
export { type CrudRequestValues, createRequestCrudStore } from "./request-crud-store.js";
export { type CrudDocState, packDocState, unpackDocState } from "./crud-handler.js";
