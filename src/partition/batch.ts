// What a consumer batch loads from its partition and commits back: keys, cursor updates, parked events, heads.
import type { ReadSideRecord } from "../control/index.js";
import type { LogAppend, LogBarrier } from "../eventlog/index.js";
import type { Cursor, CursorStatus } from "./cursor-codec.js";

/** A (read side, entity) pair the consumer delivers to. */
export interface CursorKey {
  readSideId: string;
  entityId: string;
  shard: number;
}

/** The outcome of delivering to one pair: the cursor it read and the cursor to write. */
export interface CursorUpdate {
  key: CursorKey;
  from: Cursor;
  revision: number;
  status: CursorStatus;
  attempts: number;
  failedRevision: number;
  lastError: string | null;
  retryAt: number;
}

/** An event a read side gave up on, kept for replay. */
export interface ParkedEvent {
  readSideId: string;
  entityId: string;
  revision: number;
  reason: string;
  attempts: number;
}

/** An entity's newest known revision, for the entity index. */
export interface EntityHead {
  entityId: string;
  shard: number;
  head: number;
}

/** An event the commit appended to the log, at its offset in its partition. */
export interface AppendedEntry {
  partition: number;
  offset: number;
  entityId: string;
  revision: number;
  /** The log's barriers on this entry (a resize moved shards here just before it): live readers must honour them too. */
  barriers?: LogBarrier[];
}

/** Which partition a caller means and the layout it routes by (every partition learns its own number from its callers). */
export interface Route {
  partition: number;
  partitions: number;
  numShards: number;
}

/** What a batch commits to one partition in one transaction. */
export interface CommitRequest {
  /** The lease its load took (undefined when it loaded nothing). */
  lease?: number;
  updates: CursorUpdate[];
  parked: ParkedEvent[];
  heads: EntityHead[];
  /** The `$log` read side's rows: each taken only when its `$log` cursor update is applied. */
  appends: LogAppend[];
  now: number;
  /**
   * When the load that announced this batch's heads ran (ms; the partition knew of the events
   * since then): the marks of heads the commit raises say this time rather than `now`, so the
   * time the deliveries took is not lost. Undefined: `now`.
   */
  knownAt?: number;
}

/** What a commit applied: the cursorIds whose write took, and the log entries appended. */
export interface CommitResult {
  applied: Set<string>;
  appended: AppendedEntry[];
  /** When the appended entries were stamped (the partition's clock, never behind its previous append). */
  appendedAt: number;
}

/** Every read side, and the cursors they hold for a batch's entities. */
export interface BatchPositions {
  sides: ReadSideRecord[];
  /** By cursorId(readSideId, entityId); current-generation cursors only. */
  cursors: Map<string, Cursor>;
  /** Entities whose shard this partition does not serve right now (a resize is moving it): retry their messages. */
  wait?: string[];
  /** The lease the commit must hand back. */
  lease?: number;
}
