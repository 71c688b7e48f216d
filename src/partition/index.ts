// Public surface of partition/: the central store of each partition (a Durable Object) and the Worker's routing to it.
export type { AppendedEntry, BatchPositions, CommitRequest, CommitResult, CursorKey, CursorUpdate, EntityHead, ParkedEvent } from "./batch.js";
export { type Cursor, type CursorStatus, MAX_ERROR_CHARS, cursorId, freshCursor } from "./cursor-codec.js";
export type { CursorScope, CursorSummary, CursorView, DueRetry } from "./cursor-queries.js";
export type { BehindEntity, IndexedEntity } from "./entity-index.js";
export type { ParkedView } from "./parked.js";
// The Durable Object class is exported from src/index.ts only; its type types the stubs.
export type { PartitionMetrics, PartitionObject, PartitionPorts } from "./partition-object.js";
export { findEntities } from "./find-entities.js";
export { compareIds } from "./id-order.js";
export { type Partitions, createPartitions, partitionName } from "./partitions.js";
export { READ_SIDES_TTL_MS } from "./read-side-cache.js";
export { eventTag, shardOf } from "./shard.js";
