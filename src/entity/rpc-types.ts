// The shapes that cross Durable Object RPC between the front door and EntityObject.
import type { ErrorData } from "../errors.js";
import type { JournalEntry } from "./journal/index.js";
import type { TraceCarrier } from "../trace/index.js";

/** A typed result: expected failures are values, because Workers RPC drops an error's code. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** A command for one entity. Payloads travel as serialized protobuf bytes. */
export interface CommandInput {
  entityId: string;
  /** Serialized google.protobuf.Any. */
  command: Uint8Array;
  /** Request headers to send to the write handler (already filtered by the allow-list). */
  propagatedHeaders: [string, string][];
  /** Request headers to persist in MetaData.headers (already filtered by the allow-list). */
  persistedHeaders: [string, string][];
  expectedRevision?: number;
  idempotencyKey?: string;
  /** The caller answers in Connect JSON: the resulting state's type must be in the registry. */
  requireJsonTypes?: boolean;
  /** A write handler built into Statehouse to fold this command with, instead of the configured one (a name in EntityPorts.builtins). */
  builtin?: string;
  /** The caller's span (W3C traceparent/tracestate); the entity runs the command in a child of it, or starts a trace. */
  trace?: TraceCarrier;
}

/** State and meta, serialized (google.protobuf.Any and chief_of_state.v1.MetaData). */
export interface StateReply {
  state: Uint8Array;
  meta: Uint8Array;
}

/** A page of an entity's journal. */
export interface JournalPage {
  events: JournalEntry[];
  /** Revision to ask for next; 0 when the page reached the head. */
  nextFromRevision: number;
  headRevision: number;
  /** Oldest revision the journal still holds; 0 when it holds none. */
  firstRetainedRevision: number;
  /** When compaction last deleted rows (epoch ms on the entity's clock), 0 if never. */
  compactedAt: number;
}
