// Public surface of eventlog/: the global event log and named consumers' positions, in D1.
export {
  LOG_APPEND_TAKES,
  LOG_READ_SIDE_ID,
  LOG_SCAN_WINDOW,
  type LogAppend,
  type LogBarrier,
  type LogEntry,
  type LogPage,
  type LogQuery,
  type LogRetention,
  type LogRow,
  type LogStore,
  createLogStore,
  logAppendStatements,
} from "./log-store.js";
export { type ConsumerPosition, type PositionStore, createPositionStore } from "./position-store.js";
export {
  type DecodedLogEntry,
  LOG_PAGE_DEFAULT,
  LOG_PAGE_MAX,
  type LogRequest,
  checkOffset,
  decodeLogEntry,
  parseTypeGlob,
  readLog,
  typeMatcher,
} from "./log-reader.js";
export { type EventLog, createEventLog } from "./event-log.js";
