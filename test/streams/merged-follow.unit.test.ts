// Following K partitions: every item once, in order per partition, barriers held back until satisfied, all feeds closed at the end.
import { describe, expect, it } from "vitest";
import type { LogBarrier } from "../../src/eventlog/log-types.js";
import type { FeedSource } from "../../src/streams/feed-source.js";
import { followFeed } from "../../src/streams/follow-feed.js";
import { followMerged } from "../../src/streams/merged-follow.js";
import { FakeFeed, range } from "./fake-feed.js";

/** An item of partition p. */
interface Tagged {
  p: number;
  pos: number;
}

/** FakeFeed's items marked with their partition, so the merged stream says where each came from. */
function tagged(feed: FakeFeed, p: number): FeedSource<Tagged> {
  const tag = (items: { pos: number }[]) => items.map((i) => ({ p, pos: i.pos }));
  return {
    name: `partition ${p}`,
    positionName: "offset",
    position: (i) => i.pos,
    size: () => 10,
    read: async (from, limit) => {
      const page = await feed.read(from, limit);
      return { ...page, items: tag(page.items) };
    },
    connect: (handlers) =>
      feed.connect({ message: (m) => handlers.message("items" in m ? { items: tag(m.items) } : m), closed: (info) => handlers.closed(info) }),
  };
}

async function take(it: AsyncIterator<Tagged>, n: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(`${r.value.p}:${r.value.pos}`);
  }
  return out;
}

const ofPartition = (seen: string[], p: number) => seen.filter((s) => s.startsWith(`${p}:`)).map((s) => Number(s.split(":")[1]));

describe("followMerged", () => {
  it("with one partition yields what followFeed yields", async () => {
    const a = new FakeFeed();
    const b = new FakeFeed();
    a.append(4);
    b.append(4);
    const merged = followMerged([a], { from: [2] });
    const single = followFeed(b, { from: 2 });
    const first = [await merged.next(), await merged.next(), await merged.next()].map((r) => r.value?.pos);
    expect(first).toEqual([2, 3, 4]);
    a.append(2, "head");
    b.append(2, "head");
    const rest = [await merged.next(), await merged.next()].map((r) => r.value?.pos);
    const expected = [await single.next(), await single.next(), await single.next(), await single.next(), await single.next()].map((r) => r.value?.pos);
    expect([...first, ...rest]).toEqual(expected);
    await merged.return();
    await single.return();
  });

  it("yields every item of every partition exactly once, in order within each, catch-up and live", async () => {
    const feeds = [new FakeFeed(), new FakeFeed(), new FakeFeed()];
    feeds[0]?.append(5, "none");
    feeds[1]?.append(2, "none");
    const it = followMerged(feeds.map(tagged), { from: [1, 1, 1] });
    const seen = await take(it, 7);
    feeds[2]?.append(3);
    feeds[1]?.append(2, "head");
    feeds[0]?.append(1, "none");
    feeds[0]?.append(2);
    seen.push(...(await take(it, 8)));
    expect(ofPartition(seen, 0)).toEqual(range(1, 8));
    expect(ofPartition(seen, 1)).toEqual(range(1, 4));
    expect(ofPartition(seen, 2)).toEqual(range(1, 3));
    await it.return();
  });

  it("holds an item behind a barrier back until the other partition is yielded through its offset", async () => {
    const feeds = [new FakeFeed(), new FakeFeed()];
    feeds[0]?.append(2, "none");
    feeds[1]?.append(5, "none");
    const barrier: LogBarrier = { beforeOffset: 3, partition: 0, offset: 4 };
    const barriersOf = (item: Tagged, p: number) => (p === 1 && item.pos === 3 ? [barrier] : undefined);
    const it = followMerged(feeds.map(tagged), { from: [1, 1], barriersOf });
    const before = await take(it, 4);
    expect(before.sort()).toEqual(["0:1", "0:2", "1:1", "1:2"]);
    const waiting = take(it, 5);
    feeds[0]?.append(1);
    feeds[0]?.append(1);
    const after = await waiting;
    expect(after.indexOf("1:3")).toBeGreaterThan(after.indexOf("0:4"));
    expect(ofPartition(after, 1)).toEqual([3, 4, 5]);
    await it.return();
  });

  it("lets a barrier already passed at the start go", async () => {
    const feeds = [new FakeFeed(), new FakeFeed()];
    feeds[0]?.append(4, "none");
    feeds[1]?.append(3, "none");
    const barriersOf = (item: Tagged, p: number) => (p === 1 && item.pos === 3 ? [{ beforeOffset: 3, partition: 0, offset: 4 }] : undefined);
    const it = followMerged(feeds.map(tagged), { from: [5, 3], barriersOf });
    expect(await take(it, 1)).toEqual(["1:3"]);
    await it.return();
  });

  it("closes every partition's live connection when the caller stops, even one waiting for items", async () => {
    const feeds = [new FakeFeed(), new FakeFeed()];
    feeds[0]?.append(3, "none");
    const it = followMerged(feeds.map(tagged), { from: [1, 1] });
    expect(await take(it, 2)).toEqual(["0:1", "0:2"]);
    expect(feeds.map((f) => f.live)).toEqual([true, true]);
    await it.return();
    expect(feeds.map((f) => f.live)).toEqual([false, false]);
  });

  it("ends when the signal aborts while every partition waits for live items", async () => {
    const feeds = [new FakeFeed(), new FakeFeed()];
    const abort = new AbortController();
    const it = followMerged(feeds.map(tagged), { from: [1, 1], signal: abort.signal });
    const next = it.next();
    setTimeout(() => abort.abort(), 10);
    expect((await next).done).toBe(true);
    expect(feeds.map((f) => f.live)).toEqual([false, false]);
  });
});
