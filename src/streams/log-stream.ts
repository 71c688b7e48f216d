// Follow the global event log (every partition) from a start (or from now on), filtered by a type glob and an entity, ended by Unsubscribe.
import { StatehouseError } from "../errors.js";
import {
  type EventLog,
  type LogEntry,
  type PartitionLogs,
  checkStart,
  formatLogPosition,
  parseLogPosition,
  parseLogStart,
  parseTypeGlob,
  startAfter,
  parseEntityFilter,
  typeMatcher,
} from "../eventlog/index.js";
import { createLogFeedSource } from "./log-feed.js";
import type { LogHub } from "./log-hub.js";
import { followMerged } from "./merged-follow.js";
import type { SubscriptionObject } from "./subscription-object.js";
import { watchUnsubscribe } from "./unsubscribe-watch.js";

/** What a log stream asks for. */
export interface LogStreamRequest {
  /**
   * Where to start, inclusive: an offset ("15") with one partition, a start ("16-1-8") with
   * several; "0" or undefined follows only what is appended from now on.
   */
  from?: string;
  /** Resume after this position (a streamed entry's position, an SSE id); wins over `from`. */
  after?: string;
  /** A type glob (`bank.v1.*`); undefined or "" for every type. */
  type?: string;
  /** One entity's entries only; undefined or "" for every entity. */
  entity?: string;
  /** Registers the stream for Unsubscribe / UnsubscribeAll under this id. */
  subscriptionId?: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** An entry as a stream hands it out, with the reader's position once it has it. */
export interface StreamedEntry {
  entry: LogEntry;
  position: string;
}

/** An open log stream's entries, and where it starts. */
export interface LogStream extends AsyncIterable<StreamedEntry> {
  /** The reader's position before the first entry: everything up to it is, for this client, already seen. */
  readonly before: string;
}

/** Opens log streams. */
export interface LogStreams {
  /**
   * Checks the request (INVALID_ARGUMENT, OUT_OF_RANGE before anything is streamed), then streams
   * every entry from the start on exactly once, in offset order per partition (revision order per
   * entity): catch-up from the partitions' stores, then live.
   */
  open(req: LogStreamRequest): Promise<LogStream>;
}

/** LogStreams over the partitions' logs, their LogHubs and the subscription objects. */
export function createLogStreams(deps: {
  logs: PartitionLogs;
  eventLog: Pick<EventLog, "bounds">;
  hubs: DurableObjectNamespace<LogHub>;
  subscriptionNs: DurableObjectNamespace<SubscriptionObject>;
}): LogStreams {
  const count = deps.logs.count;
  return {
    async open(req) {
      const typeMatches = typeMatcher(parseTypeGlob(req.type));
      const entity = parseEntityFilter(req.entity);
      const matches = (e: LogEntry) => typeMatches(e.eventType) && (entity === undefined || e.entityId === entity);
      const asked =
        req.after !== undefined ? startAfter(parseLogPosition(req.after, count, "after")) : req.from === undefined || req.from === "" ? undefined : parseLogStart(req.from, count);
      const bounds = await deps.eventLog.bounds();
      const fromNow = asked === undefined || asked.every((s) => s === 0);
      if (!fromNow) checkStart(asked, bounds);
      // A 0 component starts at what retention kept there; "from now on" after each head.
      const start = bounds.head.map((head, p) => (fromNow ? head + 1 : (asked[p] as number) === 0 ? Math.min(bounds.first[p] as number, head + 1) : (asked[p] as number)));
      if (!start.every((s) => Number.isSafeInteger(s) && s >= 1)) throw new StatehouseError("internal", "a log stream's start must be at least 1 in every partition");
      const watch = req.subscriptionId === undefined ? undefined : await watchUnsubscribe(deps.subscriptionNs, req.subscriptionId);
      req.signal.addEventListener("abort", () => watch?.close(), { once: true });
      const feeds = Array.from({ length: count }, (_, p) => createLogFeedSource(deps.logs, deps.hubs, p));
      const entries = (async function* () {
        let next = [...start];
        try {
          for await (const entry of followMerged(feeds, { from: start, signal: req.signal, until: watch?.unsubscribed })) {
            next = next.map((n, p) => (p === entry.partition ? Math.max(n, entry.offset + 1) : n));
            if (matches(entry)) yield { entry, position: formatLogPosition(next.map((n) => n - 1)) };
          }
        } finally {
          watch?.close();
        }
      })();
      return { before: formatLogPosition(start.map((s) => s - 1)), [Symbol.asyncIterator]: () => entries };
    },
  };
}
