// The messages on the events queue: committed ranges from entities, targeted re-sends, and sweeps.
import type { EventsMessage, JournalEntry } from "../entity/index.js";

/**
 * A range of one entity's revisions. The entity's outbox sends it for every read side; the
 * consumer re-sends it for some (`readSideIds`) to retry later or to continue a long backlog.
 */
export interface DeliveryMessage extends EventsMessage {
  readSideIds?: string[];
}

/**
 * Walks one partition's entity index for one read side, page by page, enqueuing a delivery for
 * every entity the read side is behind on (after create, resume, restart). `after` is the last
 * entity id done. A sweep without `partition` (sent before partitions existed) walks partition 0.
 */
export interface SweepMessage {
  sweep: { readSideId: string; shard?: number; after: string; partition?: number };
}

/** Anything the consumer accepts. */
export type ConsumerMessage = { kind: "delivery"; body: DeliveryMessage } | { kind: "sweep"; body: SweepMessage };

/** Reads a queue message body; undefined when it is not one Statehouse sent. */
export function parseMessage(body: unknown): ConsumerMessage | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.sweep === "object" && b.sweep !== null) {
    const s = b.sweep as Record<string, unknown>;
    if (typeof s.readSideId !== "string" || typeof s.after !== "string") return undefined;
    if (s.shard !== undefined && !isRevision(s.shard)) return undefined;
    if (s.partition !== undefined && !isRevision(s.partition)) return undefined;
    const sweep: SweepMessage["sweep"] = { readSideId: s.readSideId, after: s.after, shard: s.shard as number | undefined };
    if (s.partition !== undefined) sweep.partition = s.partition as number;
    return { kind: "sweep", body: { sweep } };
  }
  if (typeof b.entityId !== "string" || !isRevision(b.fromRevision) || !isRevision(b.toRevision)) return undefined;
  const ids = b.readSideIds;
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((x) => typeof x === "string"))) return undefined;
  const events = b.events;
  if (events !== undefined && !(Array.isArray(events) && events.every(isJournalEntry))) return undefined;
  const delivery: DeliveryMessage = { entityId: b.entityId, fromRevision: b.fromRevision, toRevision: b.toRevision, readSideIds: ids as string[] | undefined };
  if (events !== undefined) delivery.events = events as JournalEntry[];
  // A trace is a hint: one that is not a pair of strings is left out, never a reason to refuse the message.
  const trace = b.trace as Record<string, unknown> | undefined;
  if (typeof trace?.traceparent === "string" && (trace.tracestate === undefined || typeof trace.tracestate === "string")) {
    delivery.trace = trace.tracestate === undefined ? { traceparent: trace.traceparent } : { traceparent: trace.traceparent, tracestate: trace.tracestate };
  }
  return { kind: "delivery", body: delivery };
}

/** A message body as it is kept for an operator: carried rows are left out (the journal has them). */
export function withoutCarriedEvents(body: unknown): unknown {
  if (typeof body !== "object" || body === null || !("events" in body)) return body;
  const { events: _rows, ...rest } = body as Record<string, unknown>;
  return rest;
}

function isJournalEntry(v: unknown): v is JournalEntry {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Record<string, unknown>;
  return isRevision(e.revision) && e.event instanceof Uint8Array && e.state instanceof Uint8Array && e.meta instanceof Uint8Array;
}

function isRevision(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
