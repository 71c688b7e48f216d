// The JSON shapes of the Statehouse answers the console reads (README "APIs", docs/read-sides.md).

export type Json = unknown;

export interface Meta {
  entity_id: string;
  revision_number: number;
  revision_date?: string;
  headers?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface JournalEntry {
  revision: number;
  event: Json;
  state: Json;
  meta: Meta;
}

export interface JournalPage {
  events: JournalEntry[];
  next_from_revision: number;
  head_revision: number;
  first_retained_revision: number;
}

export interface LogEntry {
  offset: number;
  entity_id: string;
  revision: number;
  event_type: string;
  event: Json;
  event_omitted?: boolean;
  state?: Json;
  meta: Meta;
  appended_at: string;
  position: string;
}

export interface LogPage {
  entries: LogEntry[];
  next_offset?: number;
  head_offset?: number;
  first_offset?: number;
  next: string;
  head: string;
  first: string;
}

export interface Failing {
  entity_id: string;
  status: string;
  revision: number;
  failed_revision: number;
  attempts: number;
  last_error: string | null;
}

export interface ReadSideStatus {
  id: string;
  state: string;
  paused_shards: number[];
  entities: number;
  lag: number;
  /** How long the oldest waiting event has waited (null: none waits, or its wait is not known). */
  lag_seconds: number | null;
  /** Shards with events waiting: how many, and the oldest one's wait. */
  lag_by_shard: { shard: number; lag: number; lag_seconds: number | null }[];
  retrying: number;
  stopped: number;
  parked: number;
  failing: Failing[];
}

export interface ReadSide {
  id: string;
  url?: string;
  policy?: string;
  paused: boolean;
  paused_shards: number[];
  source: string;
  [k: string]: unknown;
}

export interface Parked {
  entity_id: string;
  revision: number;
  reason: string;
  attempts: number;
  parked_at: number | string;
}

export interface DeadLetter {
  id: number;
  queue: string;
  body: string;
  attempts: number;
  received_at: number | string;
  replayed_at: number | string | null;
}

export interface ShardOffset {
  shard: number;
  offset: number;
}

export interface Cursor {
  entity_id: string;
  shard: number;
  revision: number;
  head_revision: number;
  lag: number;
  status: string;
  attempts: number;
  failed_revision: number;
  last_error: string | null;
}
