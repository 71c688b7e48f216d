// Opens a feed's live connection, retrying with backoff when the hub is briefly away (eviction, deploy).
import { StatehouseError, messageOf } from "../errors.js";
import { log } from "../log.js";
import type { FeedSource, LiveConnection, LiveHandlers } from "./feed-source.js";

/** Waits before each attempt to open a live connection; after the last one the feed fails. */
export const RECONNECT_DELAYS_MS = [0, 50, 200, 500, 1000, 2000, 4000];

/** What the retry loop asks the feed it serves. */
export interface RetryContext {
  /** Whether the feed ended meanwhile (then the loop gives up quietly). */
  isStopped(): boolean;
  /** Where a client should resume, for the error message, e.g. `revision 12`. */
  resumeHint(): string;
}

/**
 * Connects to the source's hub, retrying with growing delays. When every attempt fails it throws
 * `unavailable` naming the position to resume from, so the client can reconnect without a gap.
 */
export async function connectWithRetry<T>(source: FeedSource<T>, handlers: LiveHandlers<T>, ctx: RetryContext): Promise<LiveConnection> {
  let lastError: unknown;
  for (const delay of RECONNECT_DELAYS_MS) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (ctx.isStopped()) return { close: () => undefined };
    try {
      return await source.connect(handlers);
    } catch (cause) {
      lastError = cause;
      log.warn(`statehouse: live connection to ${source.name} failed; retrying`, { error: cause });
    }
  }
  throw new StatehouseError(
    "unavailable",
    `lost the live connection to ${source.name} (${messageOf(lastError)}); resume from ${ctx.resumeHint()}`,
    [],
    { cause: lastError },
  );
}
