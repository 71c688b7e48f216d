// The feed core against a fake source: hand-off without gap or duplicate, gaps, head-only notices, overflow, reconnects, ending.
import { describe, expect, it, vi } from "vitest";
import { followFeed } from "../../src/streams/index.js";
import { FakeFeed, range, take } from "./fake-feed.js";

describe("followFeed", () => {
  it("catches up from the start position, then delivers live items", async () => {
    const feed = new FakeFeed();
    feed.append(3);
    const it = followFeed(feed, { from: 2 });
    expect(await take(it, 2)).toEqual([2, 3]);
    feed.append(2);
    expect(await take(it, 2)).toEqual([4, 5]);
    await it.return();
  });

  it("opens the live connection before the first read, so a commit during catch-up is neither lost nor repeated", async () => {
    const feed = new FakeFeed();
    feed.append(5);
    const it = followFeed(feed, { from: 1, pageSize: 2 });
    expect(await take(it, 1)).toEqual([1]);
    // Committed while the reader is between catch-up pages: both the later pages and the live message carry 6..7.
    feed.append(2);
    expect(await take(it, 6)).toEqual(range(2, 7));
    feed.append(1);
    expect(await take(it, 1)).toEqual([8]);
    await it.return();
  });

  it("reads the source when a live message skips positions (a lost message)", async () => {
    const feed = new FakeFeed();
    const it = followFeed(feed, { from: 1 });
    feed.append(1);
    expect(await take(it, 1)).toEqual([1]);
    feed.append(2, "none");
    feed.append(1);
    expect(await take(it, 3)).toEqual([2, 3, 4]);
    await it.return();
  });

  it("reads the source when the hub sends only the head", async () => {
    const feed = new FakeFeed();
    const it = followFeed(feed, { from: 1 });
    const next = take(it, 3);
    await vi.waitFor(() => expect(feed.live).toBe(true));
    feed.append(3, "head");
    expect(await next).toEqual([1, 2, 3]);
    await it.return();
  });

  it("drops buffered live items when a slow reader falls behind, then serves it from the source, in order", async () => {
    const feed = new FakeFeed();
    feed.append(1);
    const it = followFeed(feed, { from: 1, buffer: { items: 5 } });
    expect(await take(it, 1)).toEqual([1]);
    const readsBefore = feed.reads.length;
    for (let i = 0; i < 30; i++) feed.append(1);
    expect(await take(it, 30)).toEqual(range(2, 31));
    expect(feed.reads.length).toBeGreaterThan(readsBefore);
    feed.append(1);
    expect(await take(it, 1)).toEqual([32]);
    await it.return();
  });

  it("reconnects when the hub drops the connection and catches up what was committed meanwhile", async () => {
    const feed = new FakeFeed();
    feed.append(1);
    const it = followFeed(feed, { from: 1 });
    expect(await take(it, 1)).toEqual([1]);
    feed.drop();
    feed.append(2, "none");
    const next = take(it, 3);
    await vi.waitFor(() => expect(feed.connects).toBe(2));
    feed.append(1);
    expect(await next).toEqual([2, 3, 4]);
    await it.return();
  });

  it("ends cleanly when `until` resolves and closes the live connection", async () => {
    const feed = new FakeFeed();
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    const it = followFeed(feed, { from: 1, until });
    const pending = it.next();
    await vi.waitFor(() => expect(feed.live).toBe(true));
    stop();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(feed.live).toBe(false);
  });

  it("ends when the signal aborts while waiting for a live item", async () => {
    const feed = new FakeFeed();
    const abort = new AbortController();
    const it = followFeed(feed, { from: 1, signal: abort.signal });
    const pending = it.next();
    await vi.waitFor(() => expect(feed.live).toBe(true));
    abort.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(feed.live).toBe(false);
  });

  it("fails with the position to resume from when the source no longer progresses", async () => {
    const feed = new FakeFeed();
    feed.head = 5; // positions 1..5 claimed but never readable: read() answers nothing
    feed.read = async (from) => ({ items: [], next: from, head: 5 });
    const it = followFeed(feed, { from: 1 });
    await expect(it.next()).rejects.toThrow("fake feed made no progress reading from offset 1");
  });
});
