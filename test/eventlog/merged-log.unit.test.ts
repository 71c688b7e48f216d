// Merged reads across partitions: time order, no gap and no duplicate across pages, barriers, and stopping where a page ran out.
import { describe, expect, it } from "vitest";
import type { LogBarrier, LogEntry, LogQuery } from "../../src/eventlog/log-types.js";
import { type PartitionLogs, readMerged } from "../../src/eventlog/merged-log.js";
import { payloadBytes } from "../../src/eventlog/segment-codec.js";
import type { PartitionLogPage } from "../../src/eventlog/segment-store.js";
import { StatehouseError } from "../../src/errors.js";

/** An in-memory partition log answering reads as SegmentStore.read does (with a small scan window). */
class FakePartition {
  entries: LogEntry[] = [];
  barriers: LogBarrier[] = [];
  first = 1;
  constructor(
    readonly partition: number,
    readonly window = 8,
  ) {}

  append(n: number, at: number, type = "x.v1.A", bytes = 10): void {
    for (let i = 0; i < n; i++) {
      const offset = this.entries.length + 1;
      this.entries.push({ partition: this.partition, offset, entityId: `e${this.partition}`, revision: offset, eventType: type, event: new Uint8Array(bytes), meta: new Uint8Array(0), state: undefined, appendedAt: at });
    }
  }

  barrier(partition: number, offset: number): LogBarrier {
    const b = { beforeOffset: this.entries.length + 1, partition, offset };
    this.barriers.push(b);
    return b;
  }

  read(q: LogQuery): PartitionLogPage {
    const head = this.entries.length;
    const start = Math.max(q.from, this.first);
    const windowEnd = q.type === undefined ? Number.POSITIVE_INFINITY : start + this.window;
    const re = q.type === undefined ? undefined : new RegExp(`^${q.type.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`);
    const out: LogEntry[] = [];
    let bytes = 0;
    let cut = false;
    for (const e of this.entries) {
      if (e.offset < start) continue;
      if (e.offset >= windowEnd) break;
      if (re !== undefined && !re.test(e.eventType)) continue;
      if (out.length > 0 && bytes + payloadBytes(e) > q.maxBytes) {
        cut = true;
        break;
      }
      out.push({ ...e, barriers: this.barriers.filter((b) => b.beforeOffset === e.offset) });
      bytes += payloadBytes(e);
      if (out.length >= q.limit) {
        cut = true;
        break;
      }
    }
    const last = out.at(-1)?.offset;
    const nextOffset = cut || q.type === undefined ? (last === undefined ? q.from : last + 1) : Math.max(q.from, Math.min(windowEnd, head + 1));
    const barriers = this.barriers.filter((b) => b.beforeOffset >= q.from && b.beforeOffset <= nextOffset);
    return { entries: out, nextOffset, headOffset: head, firstOffset: head === 0 ? 1 : this.first, barriers };
  }
}

function logsOf(parts: FakePartition[]): PartitionLogs & { reads: number } {
  const logs = {
    count: parts.length,
    reads: 0,
    read: async (p: number, q: LogQuery) => (logs.reads++, (parts[p] as FakePartition).read(q)),
    bounds: async (p: number) => {
      const page = (parts[p] as FakePartition).read({ from: 1, limit: 1, maxBytes: 0 });
      return { head: page.headOffset, first: page.firstOffset };
    },
  };
  return logs;
}

const ids = (entries: LogEntry[]) => entries.map((e) => `${e.partition}:${e.offset}`);

/** Reads every page from `from` until each partition's next passes its head. */
async function readAll(parts: FakePartition[], req: { limit: number; maxBytes: number; type?: string }, from = parts.map(() => 1)) {
  const seen: LogEntry[] = [];
  const logs = logsOf(parts);
  for (let pages = 0; pages < 10_000 && from.some((f, p) => f <= (parts[p] as FakePartition).entries.length); pages++) {
    const page = await readMerged(logs, { from, ...req });
    for (const [p, n] of page.next.entries()) expect(n).toBeGreaterThanOrEqual(from[p] as number);
    seen.push(...page.entries);
    from = page.next;
  }
  return seen;
}

/** A small deterministic generator, so a failing case can be read back. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
}

describe("readMerged", () => {
  it("with one partition answers that partition's page: the same entries and next = [nextOffset]", async () => {
    const p = new FakePartition(0);
    p.append(5, 10, "x.v1.A");
    p.append(20, 20, "x.v1.B");
    p.append(3, 30, "x.v1.A");
    for (const q of [{ from: 1, limit: 4, maxBytes: 1000 }, { from: 2, limit: 100, maxBytes: 25 }, { from: 3, limit: 100, maxBytes: 1000, type: "x.v1.A" }, { from: 9, limit: 100, maxBytes: 1000, type: "x.v1.A" }]) {
      const single = p.read(q);
      const merged = await readMerged(logsOf([p]), { ...q, from: [q.from] });
      expect(merged).toEqual({ entries: single.entries, next: [single.nextOffset], head: [single.headOffset], first: [single.firstOffset] });
    }
  });

  it("merges by appendedAt, a tie going to the lower partition", async () => {
    const parts = [new FakePartition(0), new FakePartition(1)];
    parts[0]?.append(1, 10);
    parts[1]?.append(1, 5);
    parts[0]?.append(1, 20);
    parts[1]?.append(1, 20);
    const page = await readMerged(logsOf(parts), { from: [1, 1], limit: 10, maxBytes: 1000 });
    expect(ids(page.entries)).toEqual(["1:1", "0:1", "0:2", "1:2"]);
    expect(page.next).toEqual([3, 3]);
  });

  it("pages through three partitions once, with no gap and no duplicate, filtered or not", async () => {
    const next = random(7);
    const parts = [new FakePartition(0, 5), new FakePartition(1, 7), new FakePartition(2, 3)];
    let clock = 0;
    for (let i = 0; i < 300; i++) {
      clock += Math.floor(next() * 3);
      (parts[Math.floor(next() * 3)] as FakePartition).append(1 + Math.floor(next() * 4), clock, next() < 0.2 ? "x.v1.Rare" : "x.v1.Common", Math.floor(next() * 40));
    }
    for (const req of [{ limit: 7, maxBytes: 10_000 }, { limit: 100, maxBytes: 90 }, { limit: 5, maxBytes: 10_000, type: "x.v1.Rare" }, { limit: 3, maxBytes: 50, type: "x.v1.*" }]) {
      const seen = await readAll(parts, req);
      for (const p of parts) {
        const expected = p.read({ from: 1, limit: 1e9, maxBytes: 1e9, type: req.type === undefined ? undefined : req.type }).entries;
        // A filtered read's window bounds one read, so compare with every matching entry instead.
        const matching = req.type === undefined ? expected : p.entries.filter((e) => new RegExp(`^${req.type?.replace(/\./g, "\\.").replace(/\*/g, ".*")}$`).test(e.eventType));
        expect(ids(seen.filter((e) => e.partition === p.partition)), JSON.stringify(req)).toEqual(ids(matching));
      }
    }
  });

  it("never hands out an entry behind a barrier before the other partition is consumed through its offset", async () => {
    const parts = [new FakePartition(0), new FakePartition(1)];
    parts[0]?.append(6, 100);
    parts[1]?.append(2, 1);
    parts[1]?.barrier(0, 6);
    // Partition 1's clock is behind: by time alone its moved entries would come first.
    parts[1]?.append(3, 2);
    for (const req of [{ limit: 2, maxBytes: 1000 }, { limit: 100, maxBytes: 1000 }, { limit: 100, maxBytes: 25 }]) {
      const seen = ids(await readAll(parts, req));
      expect(seen.indexOf("1:3"), JSON.stringify(req)).toBeGreaterThan(seen.indexOf("0:6"));
      expect(seen).toHaveLength(11);
    }
  });

  it("counts what the same page takes toward a barrier", async () => {
    const parts = [new FakePartition(0), new FakePartition(1)];
    parts[0]?.append(3, 100);
    parts[1]?.barrier(0, 3);
    parts[1]?.append(2, 1);
    const page = await readMerged(logsOf(parts), { from: [1, 1], limit: 10, maxBytes: 1000 });
    expect(ids(page.entries)).toEqual(["0:1", "0:2", "0:3", "1:1", "1:2"]);
    expect(page.next).toEqual([4, 3]);
  });

  it("keeps a partition's next before an unsatisfied barrier, even where a filtered read went past it", async () => {
    const parts = [new FakePartition(0), new FakePartition(1, 20)];
    parts[0]?.append(10, 1, "x.v1.A", 10);
    parts[1]?.append(2, 1, "x.v1.B");
    parts[1]?.barrier(0, 10);
    parts[1]?.append(3, 1, "x.v1.B");
    parts[1]?.append(1, 1, "x.v1.A");
    const page = await readMerged(logsOf(parts), { from: [1, 1], limit: 4, maxBytes: 1000, type: "x.v1.A" });
    expect(ids(page.entries)).toEqual(["0:1", "0:2", "0:3", "0:4"]);
    expect(page.next).toEqual([5, 3]);
    const rest = ids(await readAll(parts, { limit: 4, maxBytes: 1000, type: "x.v1.A" }, page.next));
    expect(rest.at(-1)).toBe("1:6");
    expect(rest.indexOf("1:6")).toBeGreaterThan(rest.indexOf("0:10"));
  });

  it("stops where a partition's page ran out before its head, rather than jump ahead in time", async () => {
    const parts = [new FakePartition(0), new FakePartition(1)];
    for (let t = 1; t <= 10; t++) {
      parts[0]?.append(1, t, "x.v1.A", 100);
      parts[1]?.append(1, t, "x.v1.A", 1);
    }
    // Each partition may read 150 bytes: partition 0's page ends after its first entry.
    const page = await readMerged(logsOf(parts), { from: [1, 1], limit: 100, maxBytes: 300 });
    // Partition 0's next entry may still be at time 1, which sorts before partition 1's.
    expect(ids(page.entries)).toEqual(["0:1"]);
    expect(page.next).toEqual([2, 1]);
    expect(ids(await readAll(parts, { limit: 100, maxBytes: 300 }))).toHaveLength(20);
  });

  it("lets a filtered partition whose window held no match jump to its next offset", async () => {
    const parts = [new FakePartition(0, 4), new FakePartition(1)];
    parts[0]?.append(10, 1, "x.v1.B");
    parts[1]?.append(2, 1, "x.v1.A");
    const page = await readMerged(logsOf(parts), { from: [1, 1], limit: 10, maxBytes: 1000, type: "x.v1.A" });
    expect(page.entries).toEqual([]);
    expect(page.next).toEqual([5, 1]);
  });

  it("refuses a barrier on a partition the log does not have", async () => {
    const parts = [new FakePartition(0), new FakePartition(1)];
    parts[1]?.barrier(5, 1);
    parts[1]?.append(1, 1);
    await expect(readMerged(logsOf(parts), { from: [1, 1], limit: 10, maxBytes: 1000 })).rejects.toBeInstanceOf(StatehouseError);
  });
});
