// Failure policies: what a failed delivery leads to (retry later, skip and park, or stop).
import type { FailurePolicy } from "../config/index.js";

/** What to do after a failed delivery. */
export type FailureAction = { kind: "retry"; delaySeconds: number } | { kind: "skip" } | { kind: "stop" };

/** Longest backoff between retries (Queues accept delays up to 12 hours). */
export const MAX_BACKOFF_SECONDS = 3600;

/**
 * Decides after the `attempts`-th failure of one event. STOP and SKIP act at once, as in CoS;
 * REPLAY_STOP and REPLAY_SKIP first retry `retries` times with exponential backoff from
 * `backoffMs` (rounded up to whole seconds, the Queue's delay unit).
 */
export function decideOnFailure(p: { policy: FailurePolicy; retries: number; backoffMs: number }, attempts: number): FailureAction {
  switch (p.policy) {
    case "STOP":
      return { kind: "stop" };
    case "SKIP":
      return { kind: "skip" };
    case "REPLAY_STOP":
    case "REPLAY_SKIP":
      if (attempts <= p.retries) return { kind: "retry", delaySeconds: backoffSeconds(p.backoffMs, attempts) };
      return p.policy === "REPLAY_STOP" ? { kind: "stop" } : { kind: "skip" };
  }
}

/** Backoff before retry number `attempt` (1-based): backoffMs · 2^(attempt-1), capped. */
export function backoffSeconds(backoffMs: number, attempt: number): number {
  const ms = backoffMs * 2 ** Math.min(attempt - 1, 20);
  return Math.min(MAX_BACKOFF_SECONDS, Math.ceil(ms / 1000));
}
