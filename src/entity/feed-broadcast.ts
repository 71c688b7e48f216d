// What EntityObject broadcasts to its subscribers after a commit, and how a bridge reads it back.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { EntityFeedMessageSchema, EntityFeedRowSchema } from "../gen/statehouse/v1/feed_pb.js";
import type { JournalEntry } from "./journal/index.js";
import { log } from "../log.js";
import { type LiveMessage, broadcastToHub, hasHubSockets } from "../streams/index.js";

/**
 * Largest broadcast message. A commit whose rows would make a larger one is announced by its head
 * only and read from the journal. Far under the platform's 32 MiB for a received WebSocket
 * message, and small enough that a burst of commits buffered by a slow reader stays cheap.
 */
export const MAX_FEED_MESSAGE_BYTES = 256 * 1024;

/** Commits whose broadcast waits for the object's next turn, oldest first (one list per object). */
const waiting = new WeakMap<DurableObjectState, { entityId: string; rows: readonly JournalEntry[] }[]>();

/**
 * Sends a commit's rows to every bridge following the entity, after the command's answer: the
 * sends (one per subscriber) run in a later turn of the object, so a commit's reply never waits
 * for its subscribers. Each commit is its own message, in commit order (or a head-only notice past
 * MAX_FEED_MESSAGE_BYTES), as when they were sent in the commit's turn. Never throws: the
 * command's answer does not depend on it, and a lost message is a gap the bridge repairs by
 * reading the journal (an object that is reset closes its sockets; their bridges reconnect and read).
 */
export function broadcastCommit(ctx: DurableObjectState, entityId: string, rows: readonly JournalEntry[]): void {
  try {
    if (rows.length === 0 || !hasHubSockets(ctx)) return;
    const queued = waiting.get(ctx);
    if (queued !== undefined) {
      queued.push({ entityId, rows });
      return;
    }
    // The timer first: a list stored without one would collect every later commit and never be sent.
    setTimeout(() => flushBroadcasts(ctx), 0);
    waiting.set(ctx, [{ entityId, rows }]);
  } catch (cause) {
    log.error("statehouse: broadcasting a commit failed; subscribers catch up from the journal", { entity_id: entityId, error: cause });
  }
}

function flushBroadcasts(ctx: DurableObjectState): void {
  const queued = waiting.get(ctx) ?? [];
  waiting.delete(ctx);
  for (const commit of queued) {
    try {
      broadcastToHub(ctx, encodeFeedMessage(commit.rows));
    } catch (cause) {
      log.error("statehouse: broadcasting a commit failed; subscribers catch up from the journal", { entity_id: commit.entityId, error: cause });
    }
  }
}

/** The broadcast for a commit: its rows, or only the head when they exceed MAX_FEED_MESSAGE_BYTES. */
export function encodeFeedMessage(rows: readonly JournalEntry[]): Uint8Array {
  const head = rows.at(-1)?.revision ?? 0;
  const bytes = rows.reduce((n, r) => n + entrySize(r), 0);
  if (bytes > MAX_FEED_MESSAGE_BYTES) return toBinary(EntityFeedMessageSchema, create(EntityFeedMessageSchema, { head }));
  return toBinary(
    EntityFeedMessageSchema,
    create(EntityFeedMessageSchema, { head, rows: rows.map((r) => create(EntityFeedRowSchema, r)) }),
  );
}

/** Reads a broadcast back into live feed items. */
export function decodeFeedMessage(data: ArrayBuffer | string): LiveMessage<JournalEntry> {
  if (!(data instanceof ArrayBuffer)) throw new Error("an entity feed message is binary");
  const msg = fromBinary(EntityFeedMessageSchema, new Uint8Array(data));
  if (msg.rows.length === 0) return { head: msg.head };
  return { items: msg.rows.map((r) => ({ revision: r.revision, event: r.event, state: r.state, meta: r.meta })) };
}

/** Bytes a journal row holds (event, state and meta). */
export function entrySize(entry: JournalEntry): number {
  return entry.event.byteLength + entry.state.byteLength + entry.meta.byteLength;
}
