// Follow the global event log from an offset (or from now on), filtered by a type glob, ended by Unsubscribe.
import { StatehouseError } from "../errors.js";
import { type LogEntry, type LogStore, checkOffset, parseTypeGlob, typeMatcher } from "../eventlog/index.js";
import { followFeed } from "./follow-feed.js";
import { createLogFeedSource } from "./log-feed.js";
import type { LogHub } from "./log-hub.js";
import type { SubscriptionObject } from "./subscription-object.js";
import { watchUnsubscribe } from "./unsubscribe-watch.js";

/** Moved to eventlog/ (a partition's log filters segments with it); still exported here for existing callers. */
export { typeMatcher };

/** What a log stream asks for. */
export interface LogStreamRequest {
  /** First offset wanted (inclusive); 0 follows only what is appended from now on. */
  from: number;
  /** A type glob (`bank.v1.*`); undefined or "" for every type. */
  type?: string;
  /** Registers the stream for Unsubscribe / UnsubscribeAll under this id. */
  subscriptionId?: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** An open log stream's entries, and where it starts. */
export interface LogStream extends AsyncIterable<LogEntry> {
  /** The first offset the stream considers; everything before it is, for this client, already seen. */
  readonly from: number;
}

/** Opens log streams. */
export interface LogStreams {
  /**
   * Checks the request (INVALID_ARGUMENT, OUT_OF_RANGE before anything is streamed), then streams
   * every entry from the start on, exactly once, in offset order: catch-up from D1, then live.
   */
  open(req: LogStreamRequest): Promise<LogStream>;
}

/** LogStreams over the log in D1, the LogHub and the subscription objects. */
export function createLogStreams(deps: {
  store: LogStore;
  hubs: DurableObjectNamespace<LogHub>;
  subscriptionNs: DurableObjectNamespace<SubscriptionObject>;
}): LogStreams {
  return {
    async open(req) {
      const matches = typeMatcher(parseTypeGlob(req.type));
      if (!Number.isSafeInteger(req.from) || req.from < 0) throw new StatehouseError("invalid_argument", "from must be a whole number (a log offset)");
      const bounds = await deps.store.read({ from: Math.max(1, req.from), limit: 1, maxBytes: 0 });
      if (req.from !== 0) checkOffset(req.from, bounds);
      const start = req.from === 0 ? bounds.headOffset + 1 : req.from;
      const watch = req.subscriptionId === undefined ? undefined : await watchUnsubscribe(deps.subscriptionNs, req.subscriptionId);
      req.signal.addEventListener("abort", () => watch?.close(), { once: true });
      const source = createLogFeedSource(deps.store, deps.hubs);
      const entries = (async function* () {
        try {
          for await (const entry of followFeed(source, { from: start, signal: req.signal, until: watch?.unsubscribed })) {
            if (matches(entry.eventType)) yield entry;
          }
        } finally {
          watch?.close();
        }
      })();
      return { from: start, [Symbol.asyncIterator]: () => entries };
    },
  };
}
