// The contract between the feed core and what it follows: catch-up pages from the source of truth, live messages from a hub.

/** What a hub pushes: the newly committed items, or only the new head when they would not fit in a message. */
export type LiveMessage<T> = { items: T[] } | { head: number };

/** Where a live connection reports what happens to it. */
export interface LiveHandlers<T> {
  /** A message from the hub, in the order the hub sent it. */
  message(msg: LiveMessage<T>): void;
  /** The connection ended (eviction, deploy, an unsubscribe, an error); called at most once. */
  closed(info: { code: number; reason: string }): void;
}

/** An open live connection. */
export interface LiveConnection {
  /** Closes it; no handler is called afterwards. */
  close(): void;
}

/** A page read from the source of truth. */
export interface FeedPage<T> {
  /** Items from the asked position on, oldest first, each position at most once. */
  items: T[];
  /** The position to read next: one past the last position this page covered. */
  next: number;
  /** The source's newest position when the page was read; the reader is caught up once next > head. */
  head: number;
}

/**
 * A feed the core can follow: an entity's journal (positions are revisions), or the global event
 * log (positions are offsets). Positions are whole numbers from 1; a live message's items are
 * consecutive positions.
 */
export interface FeedSource<T> {
  /** Names the feed in errors, e.g. `entity acct-1`. */
  readonly name: string;
  /** What a position is called in errors and resume hints, e.g. `revision` or `offset`. */
  readonly positionName: string;
  /** The position of an item. */
  position(item: T): number;
  /** Bytes an item holds, for the buffer bound (0 if unknown). */
  size(item: T): number;
  /** Up to `limit` items from position `from` on. Throws a StatehouseError when `from` is no longer held. */
  read(from: number, limit: number): Promise<FeedPage<T>>;
  /** Opens the live connection to the hub; resolves once messages will reach `handlers`. */
  connect(handlers: LiveHandlers<T>): Promise<LiveConnection>;
}
