// Delivers one entity's events to one read side in revision order, applying its failure policy.
import { create } from "@bufbuild/protobuf";
import type { ReadSideSpec } from "../config/index.js";
import type { Cursor, CursorKey, CursorUpdate, ParkedEvent } from "../partition/index.js";
import { type JournalEntry, decodeJournalEntry } from "../entity/index.js";
import { StatehouseError, isUnexpected } from "../errors.js";
import { log } from "../log.js";
import { HandleReadSideRequestSchema } from "../gen/chief_of_state/v1/readside_pb.js";
import { typeNameOf } from "../payload/index.js";
import { type TraceContext, inSpan, traceFromMeta } from "../trace/index.js";
import { decideOnFailure } from "./policy.js";
import type { ReadSideHandler } from "./read-side-handler.js";
import { webhookId } from "./webhook-id.js";

/** Everything needed to deliver to one (read side, entity). */
export interface PairDelivery {
  spec: ReadSideSpec;
  handler: ReadSideHandler;
  key: CursorKey;
  /** The cursor as the batch read it. */
  cursor: Cursor;
  /** When this pair began: the read side's creation or whole restart, or the cursor's own restart (epoch ms). */
  startedAt: number;
  /** When the entity's journal was last compacted (epoch ms), 0 if never. */
  compactedAt: number;
  /** Journal rows read from cursor.revision + 1 on, in order (the first may be later: compaction). */
  events: JournalEntry[];
  /** The newest revision this delivery should reach (more may follow in a later page). */
  target: number;
  /** No call starts unless it can end (timeout included) before this time. */
  deadline: number;
  /** The span the queue message named, for events whose meta carries none (committed before traces were kept). */
  trace?: TraceContext;
}

/** What happened, for the batched commit and for any follow-up message. */
export interface PairOutcome {
  update: CursorUpdate | undefined;
  parked: ParkedEvent[];
  /** Deliver again from `fromRevision` after `delaySeconds` (a retry, or the rest of a backlog). */
  resend: { fromRevision: number; delaySeconds: number } | undefined;
}

type CursorState = Omit<CursorUpdate, "key" | "from">;

/**
 * Calls the handler for each event after the cursor, one at a time, each only after the previous
 * one succeeded (or was skipped by the policy). The next event is exactly cursor + 1: a journal
 * that no longer holds it (compacted while the read side was paused or stopped) stops the pair
 * with an explicit error instead of skipping silently. A cursor at 0 starts at the first retained
 * event when the pair began (read side created, or restarted) after the last compaction: what was
 * compacted before then was never owed to it. A stopped cursor, or a retrying one whose backoff has not elapsed,
 * delivers nothing: its scheduled message, the reconciler or an operator moves it on.
 */
export async function deliverPair(d: PairDelivery, now: () => number = Date.now): Promise<PairOutcome> {
  const { spec, key, cursor } = d;
  const out: PairOutcome = { update: undefined, parked: [], resend: undefined };
  if (cursor.status === "stopped") return out;
  if (cursor.status === "retrying" && now() + 1000 < cursor.retryAt) return out;

  const state: CursorState = { revision: cursor.revision, status: cursor.status, attempts: cursor.attempts, retryAt: cursor.retryAt, failedRevision: 0, lastError: null };
  const settle = (revision: number) => Object.assign(state, { revision, status: "ok", attempts: 0, failedRevision: 0, lastError: null });
  let changed = false;
  for (const entry of d.events) {
    if (entry.revision <= state.revision) continue;
    const gap = compactionGap(d, state.revision, entry.revision);
    if (gap !== undefined) {
      Object.assign(state, { status: "stopped", failedRevision: entry.revision - 1, lastError: gap });
      changed = true;
      break;
    }
    if (now() + spec.timeoutMs > d.deadline) {
      out.resend = { fromRevision: state.revision + 1, delaySeconds: 0 };
      break;
    }
    const { event, state: resulting, meta } = decodeJournalEntry(entry);
    changed = true;
    if (spec.eventTypes.length > 0 && !spec.eventTypes.includes(typeNameOf(event.typeUrl))) {
      settle(entry.revision);
      continue;
    }
    const request = create(HandleReadSideRequestSchema, { event, state: resulting, meta, readSideId: spec.id });
    // Each call is a span under the command that committed the event (its meta names it).
    const attempt: { span?: TraceContext } = {};
    const attributes = { "statehouse.read_side_id": spec.id, "statehouse.entity_id": key.entityId, "statehouse.revision": entry.revision };
    try {
      await inSpan("statehouse.delivery", traceFromMeta(meta.headers) ?? d.trace, attributes, async (span) => {
        attempt.span = span;
        await d.handler.handle({ request, shard: key.shard, webhookId: await webhookId(spec.id, key.entityId, entry.revision), trace: span });
      });
      settle(entry.revision);
      continue;
    } catch (cause) {
      const err = StatehouseError.from(cause);
      const attempts = state.attempts + 1;
      const lastError = `${err.code}: ${err.message}`;
      const action = decideOnFailure(spec, attempts);
      log.warn(`statehouse: read side ${spec.id} failed on ${key.entityId}@${entry.revision} (attempt ${attempts}, ${action.kind}): ${lastError}`, { read_side_id: spec.id, entity_id: key.entityId, revision: entry.revision, code: err.code, error: isUnexpected(cause) ? cause : undefined, trace_id: attempt.span?.traceId, span_id: attempt.span?.spanId });
      if (action.kind === "skip") {
        out.parked.push({ readSideId: spec.id, entityId: key.entityId, revision: entry.revision, reason: lastError, attempts });
        settle(entry.revision);
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
  if (changed) out.update = { key, from: cursor, ...state };
  return out;
}

/**
 * The error for events missing between `revision` and the next retained one, when they were owed
 * to this pair: always past a delivered event; at 0, when compaction ran after the pair began (it
 * existed, paused or stopped, while they were deleted). A pair that began after the compaction — a
 * new read side, or a restart, which replays what is retained — was never owed them.
 */
export function compactionGap(d: Pick<PairDelivery, "key" | "compactedAt" | "startedAt">, revision: number, next: number): string | undefined {
  if (next <= revision + 1 || (revision === 0 && d.compactedAt < d.startedAt)) return undefined;
  return `events compacted before delivery: revisions ${revision + 1}–${next - 1} of ${d.key.entityId} are no longer in the journal (COS_JOURNAL_LOGICAL_DELETION); skip to continue from revision ${next}`;
}
