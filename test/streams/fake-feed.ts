// A FeedSource of our own making for the core's unit tests: an in-memory log whose live side the test steers.
import type { FeedSource, LiveHandlers, LiveMessage } from "../../src/streams/index.js";

/** An item of the fake log. */
export interface Item {
  pos: number;
}

/** An in-memory log: append() commits and (unless told otherwise) broadcasts to the live connection. */
export class FakeFeed implements FeedSource<Item> {
  readonly name = "fake feed";
  readonly positionName = "offset";
  head = 0;
  reads: number[] = [];
  connects = 0;
  private handlers: LiveHandlers<Item> | undefined;

  position = (item: Item) => item.pos;
  size = () => 10;

  async read(from: number, limit: number) {
    this.reads.push(from);
    const items: Item[] = [];
    for (let p = from; p <= this.head && items.length < limit; p++) items.push({ pos: p });
    const last = items.at(-1)?.pos;
    return { items, next: last === undefined ? from : last + 1, head: this.head };
  }

  async connect(handlers: LiveHandlers<Item>) {
    this.connects++;
    this.handlers = handlers;
    return { close: () => (this.handlers = undefined) };
  }

  /** Commits `n` items; `live` says what the hub sends: all of them, only the head, or nothing (a lost message). */
  append(n: number, live: "items" | "head" | "none" = "items"): void {
    const items = Array.from({ length: n }, (_, i) => ({ pos: this.head + i + 1 }));
    this.head += n;
    if (live === "none") return;
    const msg: LiveMessage<Item> = live === "items" ? { items } : { head: this.head };
    this.handlers?.message(msg);
  }

  /** The hub drops the connection (an eviction). */
  drop(): void {
    const h = this.handlers;
    this.handlers = undefined;
    h?.closed({ code: 1006, reason: "evicted" });
  }

  /** Whether a live connection is open. */
  get live(): boolean {
    return this.handlers !== undefined;
  }
}

/** Takes `n` positions from an iterator. */
export async function take(it: AsyncIterator<Item>, n: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value.pos);
  }
  return out;
}

/** 1..n as an array, from `a`. */
export const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
