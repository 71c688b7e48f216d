// Public surface of eventlog/: the global event log, kept in segments per partition, read across partitions, and named consumers' positions.
export {
  LOG_READ_SIDE_ID,
  LOG_SCAN_WINDOW,
  type LogAppend,
  type LogBarrier,
  type LogEntry,
  type LogPage,
  type LogQuery,
  type LogRetention,
  type LogRow,
} from "./log-types.js";
export { type ConsumerPosition, type PositionStore, createPositionStore } from "./position-store.js";
export {
  type DecodedLogEntry,
  LOG_PAGE_BYTES,
  LOG_PAGE_DEFAULT,
  LOG_PAGE_MAX,
  type LogRequest,
  type PagedEntry,
  type ReadPage,
  checkOffset,
  checkStart,
  decodeLogEntry,
  pagedEntries,
  readLog,
} from "./log-reader.js";
export { parseEntityFilter, parseTypeGlob, typeMatcher } from "./type-glob.js";
export { type EventLog, createEventLog } from "./event-log.js";
export {
  type AppendResult,
  type PartitionLogPage,
  SEGMENT_SCHEMA,
  type SegmentStore,
  type SegmentStoreOptions,
  createSegmentStore,
} from "./segment-store.js";
export { COUNTERS_FOLD_MAX, COUNTERS_UNFOLDED_MAX, type LogCounterDelta } from "./segment-counters.js";
export {
  SEGMENT_MAX_BYTES,
  type SegmentDecoder,
  decodeSegment,
  encodeSegment,
  fromLogFeedRow,
  payloadBytes,
  toLogFeedRow,
} from "./segment-codec.js";
export {
  type LogPosition,
  type LogStart,
  advancePosition,
  formatLogPosition,
  formatLogStart,
  parseLogPosition,
  parseLogStart,
  positionBefore,
  startAfter,
} from "./log-position.js";
export { type MergedPage, type MergedRequest, type PartitionLogs, readMerged } from "./merged-log.js";
export {
  ARCHIVE_SCHEMA,
  type ArchiveBucket,
  type ArchivePolicy,
  type ArchivedObject,
  archiveKey,
  gunzip,
  gzip,
} from "./log-archive.js";
export { type PartitionLog, type PartitionLogDeps, createPartitionLog } from "./partition-log.js";
export { type SegmentInfo } from "./segment-store.js";
