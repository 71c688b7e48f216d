// Where a read side stands: a state derived from its pause flags and cursor totals, and its failing entities.
import type { ReadSideRecord } from "../control/index.js";
import type { CursorSummary } from "../partition/index.js";
import type { EntityCursor } from "./entity-cursor.js";

/**
 * Why a read side is or is not delivering, most pressing first: disabled, paused as a whole,
 * entities stopped on a failure, entities retrying one, some shards paused, or running.
 */
export type ReadSideState =
  | { kind: "disabled" }
  | { kind: "paused" }
  | { kind: "stopped"; entities: number }
  | { kind: "retrying"; entities: number }
  | { kind: "partlyPaused"; shards: number[] }
  | { kind: "running" };

/** A read side's state, totals over its entities, and the first of its failing entities. */
export interface ReadSideStatus extends CursorSummary {
  id: string;
  state: ReadSideState;
  pausedShards: number[];
  failing: EntityCursor[];
}

/** The state of a read side with these totals. */
export function readSideState(r: ReadSideRecord, summary: CursorSummary): ReadSideState {
  if (!r.spec.enabled) return { kind: "disabled" };
  if (r.paused) return { kind: "paused" };
  if (summary.stopped > 0) return { kind: "stopped", entities: summary.stopped };
  if (summary.retrying > 0) return { kind: "retrying", entities: summary.retrying };
  if (r.pausedShards.length > 0) return { kind: "partlyPaused", shards: r.pausedShards };
  return { kind: "running" };
}
