// The feed core: live connection first, catch-up from the source, then live items deduplicated by position.
import { StatehouseError } from "../errors.js";
import type { FeedSource, LiveConnection } from "./feed-source.js";
import { Mailbox, type MailboxLimits } from "./mailbox.js";
import { connectWithRetry } from "./reconnect.js";

/** How to follow a feed. */
export interface FollowOptions {
  /** The first position wanted (inclusive), at least 1. */
  from: number;
  /** Aborted when the client goes away: the feed ends and closes its connection. */
  signal?: AbortSignal;
  /** Resolves when the feed should end cleanly (an Unsubscribe). */
  until?: Promise<unknown>;
  /** Items per catch-up read (default 100). */
  pageSize?: number;
  /** Bounds of buffered live items before they are dropped for catch-up reads (default 100 items, 4 MiB). */
  buffer?: Partial<MailboxLimits>;
}

/** At most this many live connections are opened per RECONNECT_WINDOW_MS before the feed fails. */
const MAX_RECONNECTS = 10;
const RECONNECT_WINDOW_MS = 60_000;

/** Default bounds of the live buffer: past either, a slow reader is served from the source instead. */
export const DEFAULT_BUFFER: MailboxLimits = { items: 100, bytes: 4 * 1024 * 1024 };

/**
 * Follows a feed from `options.from`: every item exactly once, in position order, until the
 * signal aborts or `until` resolves (then it returns) or the source fails (then it throws a
 * StatehouseError). It opens the live connection before the first read, so nothing committed
 * between the read and the live messages is missed; a live message that does not start at the
 * next position (a missed message, a head-only notice, a reconnect) or a buffer overflow leads to
 * catch-up reads from the last delivered position; a closed connection is reopened and followed
 * by a catch-up read, so the consumer does not notice an eviction or a deploy of the hub.
 */
export async function* followFeed<T>(source: FeedSource<T>, options: FollowOptions): AsyncGenerator<T, void, undefined> {
  const mailbox = new Mailbox<T>({ ...DEFAULT_BUFFER, ...options.buffer }, (item) => source.size(item));
  const stop = () => mailbox.stop();
  const signal = options.signal;
  if (signal?.aborted) return;
  signal?.addEventListener("abort", stop);
  void options.until?.then(stop, stop);
  const pageSize = options.pageSize ?? 100;
  let next = options.from;
  let generation = 0;
  let connection: LiveConnection | undefined;
  const opened: number[] = [];

  const open = async () => {
    connection?.close();
    // A hub that keeps dropping the connection would otherwise cost a catch-up read per drop.
    const now = Date.now();
    while (opened.length > 0 && (opened[0] as number) < now - RECONNECT_WINDOW_MS) opened.shift();
    if (opened.length >= MAX_RECONNECTS) {
      throw new StatehouseError("unavailable", `the live connection to ${source.name} keeps closing; resume from ${source.positionName} ${next}`);
    }
    opened.push(now);
    const current = ++generation;
    connection = await connectWithRetry(
      source,
      {
        message: (msg) => current === generation && mailbox.pushLive(msg),
        closed: ({ code, reason }) => current === generation && mailbox.pushClosed(code, reason),
      },
      { isStopped: () => mailbox.stopped, resumeHint: () => `${source.positionName} ${next}` },
    );
  };

  try {
    await open();
    let catchUp = true;
    while (!mailbox.stopped) {
      if (catchUp) {
        catchUp = false;
        for (;;) {
          const page = await source.read(next, pageSize);
          const before = next;
          for (const item of page.items) {
            const position = source.position(item);
            if (position < next) continue;
            if (mailbox.stopped) return;
            yield item;
            next = position + 1;
          }
          next = Math.max(next, page.next);
          if (next > page.head || mailbox.stopped) break;
          if (next === before) {
            throw new StatehouseError("internal", `${source.name} made no progress reading from ${source.positionName} ${next}`);
          }
        }
        continue;
      }
      const event = await mailbox.take();
      switch (event.kind) {
        case "stop":
          return;
        case "overflow":
          catchUp = true;
          break;
        case "head":
          catchUp = event.head >= next;
          break;
        case "closed":
          await open();
          catchUp = true;
          break;
        case "items":
          for (const item of event.items) {
            const position = source.position(item);
            if (position < next) continue;
            if (position > next) {
              catchUp = true;
              break;
            }
            if (mailbox.stopped) return;
            yield item;
            next = position + 1;
          }
          break;
      }
    }
  } finally {
    generation++;
    connection?.close();
    signal?.removeEventListener("abort", stop);
  }
}
