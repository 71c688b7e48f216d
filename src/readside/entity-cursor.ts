// Where one entity stands on a read side, with its cursor's status as a union.
import type { CursorView } from "../partition/index.js";

/** A failure a cursor is held on: the revision that failed, how often, and the handler's last error. */
export interface CursorFailure {
  revision: number;
  attempts: number;
  error: string | null;
}

/**
 * A cursor's status. `ok` delivers; it keeps the failure an operator resumed it from (with no
 * attempts left to count) until its next delivery. `retrying` waits out a backoff; `stopped`
 * waits for an operator (resume, skip or restart).
 */
export type EntityCursorState =
  | { kind: "ok"; resumedFrom?: Omit<CursorFailure, "attempts"> }
  | { kind: "retrying"; failure: CursorFailure }
  | { kind: "stopped"; failure: CursorFailure };

/** One entity's cursor on a read side. */
export interface EntityCursor {
  entityId: string;
  shard: number;
  /** The last revision the read side has handled. */
  revision: number;
  /** The newest revision the entity index knows (at least `revision`). */
  headRevision: number;
  lag: number;
  state: EntityCursorState;
  /** Epoch ms. */
  updatedAt: number;
  /** When the partition first knew of the oldest event not yet handled (epoch ms); undefined when caught up or not known. */
  waitingSince?: number;
}

/** The typed form of a cursor row. */
export function toEntityCursor(v: CursorView): EntityCursor {
  const { entityId, shard, revision, headRevision, lag, updatedAt, waitingSince } = v;
  return { entityId, shard, revision, headRevision, lag, state: cursorState(v), updatedAt, ...(waitingSince === undefined ? {} : { waitingSince }) };
}

function cursorState(v: CursorView): EntityCursorState {
  if (v.status !== "ok") return { kind: v.status, failure: { revision: v.failedRevision, attempts: v.attempts, error: v.lastError } };
  // Every write that sets a cursor ok also sets attempts to 0; resume keeps the failure's revision and error.
  if (v.failedRevision === 0 && v.lastError === null) return { kind: "ok" };
  return { kind: "ok", resumedFrom: { revision: v.failedRevision, error: v.lastError } };
}
