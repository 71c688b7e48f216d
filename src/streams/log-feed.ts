// One partition's slice of the global log as a FeedSource: catch-up pages from its store, live appends from its LogHub.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { StatehouseError } from "../errors.js";
import { type LogEntry, type PartitionLogs, checkOffset, fromLogFeedRow, payloadBytes, toLogFeedRow } from "../eventlog/index.js";
import { LogFeedMessageSchema } from "../gen/statehouse/v1/feed_pb.js";
import { log } from "../log.js";
import type { FeedSource, LiveMessage } from "./feed-source.js";
import { openHubSocket } from "./live-socket.js";
import type { LogHub } from "./log-hub.js";

/** Partition 0's hub's name in its namespace (the name of the one hub before partitions). */
export const LOG_HUB_NAME = "log";

/** The name of partition `partition`'s hub: one hub per partition, so no hub carries every append. */
export function logHubName(partition: number): string {
  return partition === 0 ? LOG_HUB_NAME : `${LOG_HUB_NAME}-${partition}`;
}

/** Largest live message; a larger append is announced by its head only and read from the store. */
export const MAX_LOG_MESSAGE_BYTES = 256 * 1024;
/** Payload bytes one catch-up page reads at most. */
const PAGE_BYTES = 1024 * 1024;

/**
 * Partition `partition`'s log as a feed: positions are its offsets. A read below what retention
 * kept is OUT_OF_RANGE. Entries carry the barriers they guard (see LogEntry.barriers).
 */
export function createLogFeedSource(logs: PartitionLogs, hubs: DurableObjectNamespace<LogHub>, partition: number): FeedSource<LogEntry> {
  const name = logs.count === 1 ? "the event log" : `partition ${partition} of the event log`;
  return {
    name,
    positionName: logs.count === 1 ? "offset" : `offset of partition ${partition}`,
    position: (e) => e.offset,
    size: logEntrySize,
    async read(from, limit) {
      const page = await logs.read(partition, { from, limit, maxBytes: PAGE_BYTES });
      checkOffset(from, page);
      const last = page.entries.at(-1)?.offset;
      return { items: page.entries, next: last === undefined ? from : last + 1, head: page.headOffset };
    },
    connect(handlers) {
      const stub = hubs.get(hubs.idFromName(logHubName(partition)));
      return openHubSocket(() => stub.fetch("https://log-hub/feed", { headers: { upgrade: "websocket" } }), (data) => decodeLogFeed(data, partition), handlers);
    },
  };
}

/**
 * Publishes what a commit appended to partition `partition`'s log. Never throws: a bridge that
 * misses it reads the store at the next message it does get, or when its connection is re-opened.
 */
export async function publishAppends(hubs: DurableObjectNamespace<LogHub>, partition: number, entries: LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  try {
    await hubs.get(hubs.idFromName(logHubName(partition))).publish(encodeLogFeed(entries));
  } catch (cause) {
    log.warn("statehouse: publishing log appends to the hub failed; live readers catch up from the store", { partition, error: cause });
  }
}

/** The live message for `entries` (consecutive offsets of one partition): the rows, or only the head when too large. */
export function encodeLogFeed(entries: LogEntry[]): Uint8Array {
  const head = BigInt(entries.at(-1)?.offset ?? 0);
  const bytes = entries.reduce((n, e) => n + logEntrySize(e), 0);
  if (bytes > MAX_LOG_MESSAGE_BYTES) return toBinary(LogFeedMessageSchema, create(LogFeedMessageSchema, { head }));
  return toBinary(LogFeedMessageSchema, create(LogFeedMessageSchema, { head, rows: entries.map((e) => toLogFeedRow(e)) }));
}

/** Reads a hub message of partition `partition` back into live feed items. */
export function decodeLogFeed(data: ArrayBuffer | string, partition = 0): LiveMessage<LogEntry> {
  if (!(data instanceof ArrayBuffer)) throw new StatehouseError("internal", "a log feed message is binary");
  const msg = fromBinary(LogFeedMessageSchema, new Uint8Array(data));
  if (msg.rows.length === 0) return { head: Number(msg.head) };
  return { items: msg.rows.map((r) => fromLogFeedRow(r, partition)) };
}

function logEntrySize(e: LogEntry): number {
  return payloadBytes(e);
}
