// Delivers one entity's events to one read side in revision order, applying its failure policy.
import { create } from "@bufbuild/protobuf";
import type { ReadSideSpec } from "../config/index.js";
import type { CursorKey, CursorUpdate, Lease, ParkedEvent } from "../cursors/index.js";
import { type JournalEntry, decodeJournalEntry } from "../entity/index.js";
import { StatehouseError } from "../errors.js";
import { HandleReadSideRequestSchema } from "../gen/chief_of_state/v1/readside_pb.js";
import { typeNameOf } from "../payload/index.js";
import { decideOnFailure } from "./policy.js";
import type { ReadSideHandler } from "./read-side-handler.js";
import { webhookId } from "./signing.js";

/** Room left after a handler's timeout before the lease ends: the commit must still fit. */
export const LEASE_MARGIN_MS = 5000;

/** Everything needed to deliver to one (read side, entity) under a lease. */
export interface PairDelivery {
  spec: ReadSideSpec;
  handler: ReadSideHandler;
  key: CursorKey;
  lease: Lease;
  /** Journal rows from at least lease.revision + 1 on, in order. */
  events: JournalEntry[];
  /** The newest revision this delivery should reach (more may follow in `events`). */
  target: number;
  /** No delivery starts unless it can end (timeout included) before this time. */
  deadline: number;
}

/** What happened, for the batched commit and for any follow-up message. */
export interface PairOutcome {
  update: CursorUpdate | undefined;
  parked: ParkedEvent[];
  /** Deliver again from `fromRevision` after `delaySeconds` (a retry, or the rest of a backlog). */
  resend: { fromRevision: number; delaySeconds: number } | undefined;
  calls: number;
}

/**
 * Calls the handler for each event after the cursor, one at a time, each only after the previous
 * one succeeded (or was skipped by the policy). A stopped cursor, or a retrying one whose backoff
 * has not elapsed, delivers nothing: its own scheduled message or an operator moves it on.
 */
export async function deliverPair(d: PairDelivery, now: () => number = Date.now): Promise<PairOutcome> {
  const { spec, key, lease } = d;
  const out: PairOutcome = { update: undefined, parked: [], resend: undefined, calls: 0 };
  if (lease.status === "stopped") return out;
  if (lease.status === "retrying" && now() + 1000 < lease.retryAt) return out;

  const state: Omit<CursorUpdate, "key" | "lease"> = {
    revision: lease.revision,
    status: lease.status,
    attempts: lease.attempts,
    failedRevision: 0,
    lastError: null,
    retryAt: lease.retryAt,
  };
  let changed = false;
  for (const entry of d.events) {
    if (entry.revision <= state.revision) continue;
    if (now() + spec.timeoutMs + LEASE_MARGIN_MS > d.deadline) {
      out.resend = { fromRevision: state.revision + 1, delaySeconds: 0 };
      break;
    }
    const { event, state: resulting, meta } = decodeJournalEntry(entry);
    if (spec.eventTypes.length > 0 && !spec.eventTypes.includes(typeNameOf(event.typeUrl))) {
      Object.assign(state, { revision: entry.revision, status: "ok", attempts: 0, failedRevision: 0, lastError: null });
      changed = true;
      continue;
    }
    const request = create(HandleReadSideRequestSchema, {
      event,
      state: resulting,
      meta,
      readSideId: spec.id,
    });
    out.calls++;
    try {
      await d.handler.handle({ request, shard: key.shard, webhookId: await webhookId(spec.id, key.entityId, entry.revision) });
      Object.assign(state, { revision: entry.revision, status: "ok", attempts: 0, failedRevision: 0, lastError: null });
      changed = true;
      continue;
    } catch (cause) {
      const err = StatehouseError.from(cause);
      const attempts = state.attempts + 1;
      const lastError = `${err.code}: ${err.message}`;
      const action = decideOnFailure(spec, attempts);
      console.warn(`statehouse: read side ${spec.id} failed on ${key.entityId}@${entry.revision} (attempt ${attempts}, ${action.kind}): ${lastError}`);
      changed = true;
      if (action.kind === "skip") {
        out.parked.push({ readSideId: spec.id, entityId: key.entityId, revision: entry.revision, reason: lastError, attempts });
        Object.assign(state, { revision: entry.revision, status: "ok", attempts: 0, failedRevision: 0, lastError: null });
        continue;
      }
      Object.assign(state, { attempts, failedRevision: entry.revision, lastError });
      if (action.kind === "stop") {
        state.status = "stopped";
      } else {
        state.status = "retrying";
        state.retryAt = now() + action.delaySeconds * 1000;
        out.resend = { fromRevision: entry.revision, delaySeconds: action.delaySeconds };
      }
      break;
    }
  }
  if (out.resend === undefined && state.status === "ok" && state.revision < d.target) {
    out.resend = { fromRevision: state.revision + 1, delaySeconds: 0 };
  }
  if (changed) out.update = { key, lease, ...state };
  return out;
}
