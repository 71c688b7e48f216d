// Follows K partitions' logs at once: each with followFeed, merged as items arrive, barriers held back until satisfied.
import type { LogBarrier, LogEntry } from "../eventlog/index.js";
import { StatehouseError } from "../errors.js";
import type { FeedSource } from "./feed-source.js";
import { type FollowOptions, followFeed } from "./follow-feed.js";

/** How to follow K partitions. */
export interface MergedFollowOptions<T> extends Omit<FollowOptions, "from"> {
  /** The first offset wanted per partition (inclusive, at least 1): a LogStart. */
  from: number[];
  /**
   * The barriers an item carries (see LogEntry.barriers): a partition's reads and its live
   * messages set them on the entry at the barrier's beforeOffset. Default: `item.barriers`.
   */
  barriersOf?: (item: T, partition: number) => readonly LogBarrier[] | undefined;
}

/**
 * Follows one feed per partition (`feeds[p]` is partition p) and yields every item exactly once,
 * in position order within its partition, across partitions in the order they arrive. An item
 * that carries a barrier is held back — and its partition with it — until the barrier's
 * partition has been yielded through the barrier's offset; the other partitions go on meanwhile.
 *
 * Barriers reach the live path on the items themselves: the entry at a barrier's beforeOffset
 * carries it, in catch-up pages (SegmentStore.read) and in live messages (the entries
 * SegmentStore.append returns, encoded with toLogFeedRow), so followFeed is unchanged and a
 * barrier costs no extra round trip. A follower that starts past a barrier's beforeOffset has
 * consumed through it already, as for readMerged.
 *
 * It pulls one item at a time from each partition, so each keeps followFeed's bounded live
 * buffer. It ends when any partition's feed ends (they share the signal and `until`), and closes
 * them all when it ends or the caller stops iterating. With one feed it is followFeed.
 */
export async function* followMerged<T>(feeds: FeedSource<T>[], options: MergedFollowOptions<T>): AsyncGenerator<T, void, undefined> {
  const { from, barriersOf = defaultBarriers, signal, ...rest } = options;
  if (from.length !== feeds.length) {
    throw new StatehouseError("internal", `following ${feeds.length} partitions needs ${feeds.length} start offsets, got ${from.length}`);
  }
  if (feeds.length === 1) {
    yield* followFeed(feeds[0] as FeedSource<T>, { ...rest, signal, from: from[0] as number });
    return;
  }
  // Ending this generator must end every partition's feed, including one waiting for live items.
  const done = new AbortController();
  const shared = signal === undefined ? done.signal : AbortSignal.any([signal, done.signal]);
  const its = feeds.map((feed, p) => followFeed(feed, { ...rest, signal: shared, from: from[p] as number }));
  /** Per partition: the last position yielded, the item held back by a barrier, the pending pull. */
  const yielded = from.map((f) => f - 1);
  const held: (T | undefined)[] = feeds.map(() => undefined);
  const pulls: (Promise<{ p: number; r: IteratorResult<T, void> }> | undefined)[] = feeds.map(() => undefined);
  const open = (item: T, p: number) =>
    (barriersOf(item, p) ?? []).every((b) => {
      if (b.partition >= feeds.length) {
        throw new StatehouseError("internal", `a log barrier waits for partition ${b.partition}, but ${feeds.length} partitions are followed`);
      }
      return b.partition === p || (yielded[b.partition] as number) >= b.offset;
    });
  let turn = 0;
  try {
    for (;;) {
      // Yielding one held item may open another's barrier: go round until none moves.
      for (let moved = true; moved; ) {
        moved = false;
        for (const [p, item] of held.entries()) {
          if (item === undefined || !open(item, p)) continue;
          held[p] = undefined;
          yield item;
          yielded[p] = (feeds[p] as FeedSource<T>).position(item);
          moved = true;
        }
      }
      for (const [p, it] of its.entries()) {
        if (held[p] === undefined && pulls[p] === undefined) pulls[p] = it.next().then((r) => ({ p, r }));
      }
      // Start the race at a different partition each time, so a busy one cannot starve the rest.
      turn = (turn + 1) % feeds.length;
      const racing = [...pulls.slice(turn), ...pulls.slice(0, turn)].filter((x) => x !== undefined);
      if (racing.length === 0) {
        throw new StatehouseError("internal", "every followed partition waits behind a barrier on another: the log's barriers form a cycle");
      }
      const { p, r } = await Promise.race(racing);
      pulls[p] = undefined;
      if (r.done === true) return;
      if (!open(r.value, p)) {
        held[p] = r.value;
        continue;
      }
      yield r.value;
      yielded[p] = (feeds[p] as FeedSource<T>).position(r.value);
    }
  } finally {
    done.abort();
    // Each feed's finally closes its live connection; its pending pull settles once the abort stops it.
    await Promise.allSettled(its.map((it, p) => (pulls[p] ?? Promise.resolve()).then(() => it.return())));
  }
}

function defaultBarriers<T>(item: T): readonly LogBarrier[] | undefined {
  return (item as Partial<Pick<LogEntry, "barriers">>).barriers;
}
