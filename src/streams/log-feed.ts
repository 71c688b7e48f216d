// The global event log as a FeedSource: catch-up pages from D1, live appends from the LogHub.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { StatehouseError } from "../errors.js";
import { type LogEntry, type LogStore, checkOffset } from "../eventlog/index.js";
import { LogFeedMessageSchema, LogFeedRowSchema } from "../gen/statehouse/v1/feed_pb.js";
import { log } from "../log.js";
import type { FeedSource, LiveMessage } from "./feed-source.js";
import { openHubSocket } from "./live-socket.js";
import { LOG_HUB_NAME, type LogHub } from "./log-hub.js";

/** Largest live message; a larger append is announced by its head only and read from D1. */
export const MAX_LOG_MESSAGE_BYTES = 256 * 1024;
/** Payload bytes one catch-up page reads at most. */
const PAGE_BYTES = 1024 * 1024;

/** The log as a feed: positions are offsets. A read below what retention kept is OUT_OF_RANGE. */
export function createLogFeedSource(store: LogStore, hubs: DurableObjectNamespace<LogHub>): FeedSource<LogEntry> {
  return {
    name: "the event log",
    positionName: "offset",
    position: (e) => e.offset,
    size: logEntrySize,
    async read(from, limit) {
      const page = await store.read({ from, limit, maxBytes: PAGE_BYTES });
      checkOffset(from, page);
      const last = page.entries.at(-1)?.offset;
      return { items: page.entries, next: last === undefined ? from : last + 1, head: page.headOffset };
    },
    connect(handlers) {
      const stub = hubs.get(hubs.idFromName(LOG_HUB_NAME));
      return openHubSocket(() => stub.fetch("https://log-hub/feed", { headers: { upgrade: "websocket" } }), decodeLogFeed, handlers);
    },
  };
}

/**
 * Publishes what a consumer batch appended. Never throws: a bridge that misses it reads D1 at the
 * next message it does get, or when its connection is re-opened.
 */
export async function publishAppends(hubs: DurableObjectNamespace<LogHub>, entries: LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  try {
    await hubs.get(hubs.idFromName(LOG_HUB_NAME)).publish(encodeLogFeed(entries));
  } catch (cause) {
    log.warn("statehouse: publishing log appends to the hub failed; live readers catch up from D1", { error: cause });
  }
}

/** The live message for `entries` (consecutive offsets): the rows, or only the head when too large. */
export function encodeLogFeed(entries: LogEntry[]): Uint8Array {
  const head = BigInt(entries.at(-1)?.offset ?? 0);
  const bytes = entries.reduce((n, e) => n + logEntrySize(e), 0);
  if (bytes > MAX_LOG_MESSAGE_BYTES) return toBinary(LogFeedMessageSchema, create(LogFeedMessageSchema, { head }));
  const rows = entries.map((e) =>
    create(LogFeedRowSchema, {
      offset: BigInt(e.offset),
      entityId: e.entityId,
      revision: e.revision,
      eventType: e.eventType,
      event: e.event,
      meta: e.meta,
      state: e.state,
      appendedAt: BigInt(e.appendedAt),
    }),
  );
  return toBinary(LogFeedMessageSchema, create(LogFeedMessageSchema, { head, rows }));
}

/** Reads a hub message back into live feed items. */
export function decodeLogFeed(data: ArrayBuffer | string): LiveMessage<LogEntry> {
  if (!(data instanceof ArrayBuffer)) throw new StatehouseError("internal", "a log feed message is binary");
  const msg = fromBinary(LogFeedMessageSchema, new Uint8Array(data));
  if (msg.rows.length === 0) return { head: Number(msg.head) };
  return {
    items: msg.rows.map((r) => ({
      offset: Number(r.offset),
      entityId: r.entityId,
      revision: r.revision,
      eventType: r.eventType,
      event: r.event,
      meta: r.meta,
      state: r.state,
      appendedAt: Number(r.appendedAt),
    })),
  };
}

function logEntrySize(e: LogEntry): number {
  return (e.event?.byteLength ?? 0) + e.meta.byteLength + (e.state?.byteLength ?? 0);
}
