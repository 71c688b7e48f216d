// The global event log's shapes: a row as appended, an entry as read back, a page, a query, retention, barriers.

/** The built-in read side that appends to the log; its cursors sit in the entity rows like any read side's. */
export const LOG_READ_SIDE_ID = "$log";

/** One event as the log stores it: the protobuf bytes the journal holds. */
export interface LogRow {
  entityId: string;
  revision: number;
  /** The event's fully qualified type name, or an eskit event's own event_type. */
  eventType: string;
  /** Whether the event is an eskit event (contracts.eventstore.Event), so eventType is its event_type. */
  eskit?: boolean;
  /** Serialized google.protobuf.Any; undefined when it was too large for the log (LOG_ROW_MAX_BYTES). */
  event: Uint8Array | undefined;
  /** Serialized chief_of_state.v1.MetaData. */
  meta: Uint8Array;
  /** Serialized resulting state (google.protobuf.Any), when the log keeps states. */
  state: Uint8Array | undefined;
}

/** The rows one consumer batch appends for one entity, and the `$log` cursor they continue from. */
export interface LogAppend {
  entityId: string;
  /** The entity's shard (a partition refuses the appends of a shard a resize took away). */
  shard: number;
  /** The `$log` read side's generation and the cursor's epoch and revision the rows follow. */
  generation: string;
  epoch: number;
  fromRevision: number;
  rows: LogRow[];
}

/** A log row as read back, with its offset. */
export interface LogEntry extends LogRow {
  /** The partition whose log holds it, from 0. */
  partition: number;
  /** Its offset in that partition's log. */
  offset: number;
  appendedAt: number;
  /**
   * The barriers whose beforeOffset is this entry's offset (set by a partition's reads and appends,
   * on that entry only): this entry and the ones after it in its partition may be handed out only
   * once each barrier's partition has been consumed through its offset.
   */
  barriers?: LogBarrier[];
}

/**
 * A partition log's barrier, written when a resize moves shards to this partition from
 * `partition`: entries from `beforeOffset` on may be read only once the reader has consumed
 * `partition` up to and including `offset`, so a moved entity is never read out of revision order.
 */
export interface LogBarrier {
  beforeOffset: number;
  partition: number;
  offset: number;
}

/** A page of the log. */
export interface LogPage {
  entries: LogEntry[];
  /** Where the next read starts (the offset after the last one examined). */
  nextOffset: number;
  /** The newest offset in the log (0 when nothing was ever appended). */
  headOffset: number;
  /** The oldest offset retention has kept (headOffset + 1 when the log is empty). */
  firstOffset: number;
}

/** A read: from an offset (inclusive), at most `limit` entries, optionally of types matching a glob. */
export interface LogQuery {
  from: number;
  limit: number;
  /** A GLOB over event type names (`bank.v1.*`); undefined for every type. */
  type?: string;
  /** Only this entity's entries; undefined for every entity. */
  entity?: string;
  /** Entries stop once their payloads pass this many bytes (at least one is returned). */
  maxBytes: number;
}

/** How much of the log retention keeps; 0 turns a bound off. */
export interface LogRetention {
  days: number;
  events: number;
}

/** Offsets a filtered read (by type or entity) examines at most, so a rare match never scans the whole log. */
export const LOG_SCAN_WINDOW = 5000;

/** Whether a read selects some entries only: it then examines a window of LOG_SCAN_WINDOW offsets. */
export function isFiltered(q: Pick<LogQuery, "type" | "entity">): boolean {
  return q.type !== undefined || q.entity !== undefined;
}

