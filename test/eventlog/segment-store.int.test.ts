// A partition's log in a real Durable Object's SQLite: offsets, segment rows, filtered reads, retention, counters, barriers.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  COUNTERS_UNFOLDED_MAX,
  LOG_SCAN_WINDOW,
  type LogEntry,
  type PartitionLogs,
  SEGMENT_MAX_BYTES,
  SEGMENT_SCHEMA,
  type SegmentStore,
  type SegmentStoreOptions,
  createSegmentStore,
  decodeSegment,
  readMerged,
} from "../../src/eventlog/index.js";
import { freshId } from "../helpers.js";
import { deltasOf, logRows, sumDeltas } from "./log-rows.js";

/** What a test gets inside the object: the store over a metered SqlStorage, the raw one, and the object's storage. */
interface InObject {
  store: SegmentStore;
  sql: SqlStorage;
  storage: DurableObjectStorage;
  /** Rows written by the store's statements since the last call. */
  written(): number;
  /** Decodes since the store was made. */
  decodes(): number;
}

/** Runs `fn` inside a fresh SQLite-backed object (LogHub's constructor does nothing), schema applied. */
function inObject<T>(fn: (o: InObject) => T | Promise<T>, options: SegmentStoreOptions = {}, name = freshId("segments")): Promise<T> {
  const stub = env.LOG_HUB.get(env.LOG_HUB.idFromName(name));
  return runInDurableObject(stub, async (_instance, state) => {
    const sql = state.storage.sql;
    for (const statement of SEGMENT_SCHEMA) sql.exec(statement);
    let cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
    const metered = {
      exec: (query: string, ...bindings: unknown[]) => {
        const cursor = sql.exec(query, ...bindings);
        cursors.push(cursor);
        return cursor;
      },
      get databaseSize() {
        return sql.databaseSize;
      },
    } as unknown as SqlStorage;
    let decodes = 0;
    const store = createSegmentStore(metered, {
      ...options,
      decode: (bytes, partition) => {
        decodes++;
        return decodeSegment(bytes, partition);
      },
    });
    const written = () => {
      const n = cursors.reduce((sum, c) => sum + c.rowsWritten, 0);
      cursors = [];
      return n;
    };
    return fn({ store, sql, storage: state.storage, written, decodes: () => decodes });
  });
}

const segmentCount = (sql: SqlStorage) => sql.exec<{ n: number }>("SELECT count(*) AS n FROM log_segment").one().n;
const offsets = (entries: LogEntry[]) => entries.map((e) => e.offset);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const DAY = 86_400_000;
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a !== undefined && b !== undefined && a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);
const ALL = { limit: 1000, maxBytes: 1 << 30 };

describe("a partition's segment log: appends", () => {
  it("appends at gap-free offsets from 1 and writes one segment row per append", async () => {
    await inObject(({ store, sql, storage, written }) => {
      expect(store.bounds()).toEqual({ head: 0, first: 1 });
      let revision = 1;
      for (let i = 0; i < 40; i++) {
        const rows = logRows("acct-1", revision, 1 + ((i * 7) % 13));
        written();
        const result = storage.transactionSync(() => store.append(rows, 1000 + i, deltasOf(rows)));
        expect(written()).toBe(1);
        expect(result?.first).toBe(revision);
        expect(result?.last).toBe(revision + rows.length - 1);
        expect(offsets(result?.entries ?? [])).toEqual(range(revision, revision + rows.length - 1));
        revision += rows.length;
      }
      expect(segmentCount(sql)).toBe(40);
      const page = store.read({ from: 1, ...ALL });
      expect(offsets(page.entries)).toEqual(range(1, revision - 1));
      expect(page.entries.map((e) => e.revision)).toEqual(range(1, revision - 1));
      expect({ next: page.nextOffset, head: page.headOffset, first: page.firstOffset }).toEqual({ next: revision, head: revision - 1, first: 1 });
    });
  });

  it("appends nothing for no rows", async () => {
    await inObject(({ store, written }) => {
      expect(store.append([], 1000, [])).toBeUndefined();
      expect(written()).toBe(0);
    });
  });

  it("never lets appended_at go back along the offsets", async () => {
    await inObject(({ store }) => {
      store.append(logRows("a", 1, 2), 5000, []);
      const later = store.append(logRows("a", 3, 2), 4000, []);
      expect(later?.appendedAt).toBe(5000);
      expect(store.read({ from: 1, ...ALL }).entries.map((e) => e.appendedAt)).toEqual([5000, 5000, 5000, 5000]);
    });
  });

  it("keeps every entry's fields, the eskit flag and an omitted event", async () => {
    await inObject(({ store }) => {
      const rows = logRows("doc-1", 1, 2, "Project.Created");
      rows[0] = { ...(rows[0] as (typeof rows)[0]), eskit: true, state: new Uint8Array([9, 9]) };
      rows[1] = { ...(rows[1] as (typeof rows)[0]), event: undefined };
      store.append(rows, 1000, []);
      const [a, b] = store.read({ from: 1, ...ALL }).entries;
      expect(a).toMatchObject({ partition: 0, offset: 1, entityId: "doc-1", revision: 1, eventType: "Project.Created", eskit: true, appendedAt: 1000 });
      expect([...(a?.state ?? [])]).toEqual([9, 9]);
      expect([...(a?.meta ?? [])]).toEqual([...(rows[0]?.meta ?? [])]);
      expect(b?.event).toBeUndefined();
      expect(b?.eskit).toBeUndefined();
    }, { partition: 0 });
  });

  it("splits a batch near 2 MB into segments that each fit a row, as few as fit", async () => {
    await inObject(({ store, sql, written }) => {
      const rows = logRows("big", 1, 5, "test.v1.Big", 600_000);
      written();
      const result = store.append(rows, 1000, deltasOf(rows));
      expect(written()).toBe(2);
      expect(result).toMatchObject({ first: 1, last: 5 });
      const sizes = sql
        .exec<{ first_offset: number; size: number }>(
          "SELECT first_offset, length(entries) + length(types) + coalesce(length(counters), 0) AS size FROM log_segment ORDER BY first_offset",
        )
        .toArray();
      expect(sizes.map((s) => s.first_offset)).toEqual([1, 4]);
      for (const s of sizes) expect(s.size).toBeLessThanOrEqual(SEGMENT_MAX_BYTES);
      const entries = store.read({ from: 1, ...ALL }).entries;
      expect(offsets(entries)).toEqual([1, 2, 3, 4, 5]);
      // Compared by hand: a deep equality over 3 MB of typed arrays takes vitest seconds.
      expect(entries.map((e, i) => sameBytes(e.event, rows[i]?.event))).toEqual([true, true, true, true, true]);
    });
  });
});

describe("a partition's segment log: reads", () => {
  it("answers at most limit entries, and cuts at maxBytes after at least one", async () => {
    await inObject(({ store }) => {
      for (let i = 0; i < 5; i++) store.append(logRows("a", 1 + i * 4, 4, "t.v1.A", 100), 1000, []);
      const size = 100 + new TextEncoder().encode("meta:a:10").length;
      expect(store.read({ from: 3, limit: 5, maxBytes: 1 << 20 })).toMatchObject({ nextOffset: 8, headOffset: 20, firstOffset: 1 });
      expect(offsets(store.read({ from: 3, limit: 5, maxBytes: 1 << 20 }).entries)).toEqual([3, 4, 5, 6, 7]);
      expect(offsets(store.read({ from: 10, limit: 100, maxBytes: 3 * size }).entries)).toEqual([10, 11, 12]);
      expect(store.read({ from: 10, limit: 100, maxBytes: 3 * size }).nextOffset).toBe(13);
      expect(offsets(store.read({ from: 10, limit: 100, maxBytes: 0 }).entries)).toEqual([10]);
      expect(store.read({ from: 21, ...ALL })).toMatchObject({ entries: [], nextOffset: 21 });
    });
  });

  it("answers only types matching a glob, and never decodes a segment that holds none", async () => {
    await inObject(({ store, decodes }) => {
      for (let i = 0; i < 10; i++) {
        store.append(logRows("b", 1 + i * 3, 3, "bank.v1.Opened"), 1000, []);
        store.append(logRows("s", 1 + i * 3, 3, "shop.v1.Ordered"), 1000, []);
      }
      const before = decodes();
      const page = store.read({ from: 1, type: "bank.v1.*", ...ALL });
      expect(decodes() - before).toBe(10);
      expect(page.entries).toHaveLength(30);
      expect(page.entries.every((e) => e.eventType === "bank.v1.Opened")).toBe(true);
      expect(page.nextOffset).toBe(61);
      expect(store.read({ from: 1, type: "shop.v1.Order??", ...ALL }).entries).toHaveLength(30);
      expect(store.read({ from: 1, type: "shop.v1.Order?", ...ALL }).entries).toHaveLength(0);
    });
  });

  it("filters entries inside a segment that holds several types", async () => {
    await inObject(({ store }) => {
      store.append([...logRows("a", 1, 2, "x.v1.A"), ...logRows("b", 1, 2, "x.v1.B"), ...logRows("a", 3, 1, "x.v1.A")], 1000, []);
      expect(offsets(store.read({ from: 2, type: "x.v1.A", ...ALL }).entries)).toEqual([2, 5]);
    });
  });

  it("examines at most LOG_SCAN_WINDOW offsets per filtered read and says where to go on", async () => {
    await inObject(({ store, decodes }) => {
      for (let i = 0; i < 6; i++) store.append(logRows("n", 1 + i * 1000, 1000, "x.v1.Noise"), 1000, []);
      store.append(logRows("r", 1, 1, "x.v1.Rare"), 1000, []);
      const first = store.read({ from: 1, type: "x.v1.Rare", ...ALL });
      expect(first).toMatchObject({ entries: [], nextOffset: 1 + LOG_SCAN_WINDOW, headOffset: 6001 });
      expect(decodes()).toBe(0);
      const second = store.read({ from: first.nextOffset, type: "x.v1.Rare", ...ALL });
      expect(offsets(second.entries)).toEqual([6001]);
      expect(second.nextOffset).toBe(6002);
    });
  });
});

describe("a partition's segment log: retention", () => {
  it("deletes whole segments older than the days kept, never the newest, and offsets go on", async () => {
    await inObject(({ store, storage }) => {
      for (let i = 0; i < 5; i++) store.append(logRows("a", 1 + i * 3, 3), 1000 + i, []);
      const deleted = storage.transactionSync(() => store.trim({ days: 1, events: 0 }, 1000 + 10 * DAY, 100));
      expect(deleted).toBe(12);
      expect(store.bounds()).toEqual({ head: 15, first: 13 });
      expect(store.append(logRows("a", 16, 2), 1000 + 10 * DAY, [])?.first).toBe(16);
      expect(offsets(store.read({ from: 1, ...ALL }).entries)).toEqual([13, 14, 15, 16, 17]);
    });
  });

  it("keeps the segments that hold the newest `events` entries, and at most maxSegments go per call", async () => {
    await inObject(({ store }) => {
      for (let i = 0; i < 10; i++) store.append(logRows("a", 1 + i * 10, 10), 1000, []);
      expect(store.trim({ days: 0, events: 25 }, 1000, 2)).toBe(20);
      expect(store.bounds().first).toBe(21);
      expect(store.trim({ days: 0, events: 25 }, 1000, 100)).toBe(50);
      expect(store.bounds()).toEqual({ head: 100, first: 71 });
      expect(store.trim({ days: 0, events: 25 }, 1000, 100)).toBe(0);
      expect(store.trim({ days: 0, events: 0 }, 1000 + 100 * DAY, 100)).toBe(0);
    });
  });

  it("stops at the first segment it keeps, so no hole opens", async () => {
    await inObject(({ store }) => {
      store.append(logRows("a", 1, 5), 1000, []);
      store.append(logRows("a", 6, 5), 1000 + 5 * DAY, []);
      store.append(logRows("a", 11, 5), 1000 + 5 * DAY, []);
      // By age only the first goes; by count the second would too, and only a prefix is ever taken.
      expect(store.trim({ days: 3, events: 0 }, 1000 + 6 * DAY, 100)).toBe(5);
      expect(offsets(store.read({ from: 1, ...ALL }).entries)).toEqual(range(6, 15));
    });
  });
});

describe("a partition's segment log: counters", () => {
  it("totals the deltas appended, before and after folding, in one row write per changed series", async () => {
    await inObject(({ store, storage, written }) => {
      const all = [];
      for (let i = 0; i < 6; i++) {
        const rows = [...logRows("a", 1 + i * 2, 2, "x.v1.A"), ...logRows("b", 1 + i, 1, i % 2 === 0 ? "x.v1.B" : "x.v1.C")];
        store.append(rows, 1000, deltasOf(rows));
        all.push(...deltasOf(rows));
      }
      expect(store.counters()).toEqual(sumDeltas(all));
      written();
      expect(storage.transactionSync(() => store.foldCounters(3))).toBe(3);
      expect(written()).toBe(3 + 1);
      expect(store.counters()).toEqual(sumDeltas(all));
      expect(store.foldCounters(100)).toBe(3);
      expect(store.foldCounters(100)).toBe(0);
      expect(store.counters()).toEqual(sumDeltas(all));
    });
  });

  it("folds a segment's counters before retention deletes it", async () => {
    await inObject(({ store, sql }) => {
      const all = [];
      for (let i = 0; i < 4; i++) {
        const rows = logRows("a", 1 + i * 2, 2, `x.v1.T${i}`);
        store.append(rows, 1000, deltasOf(rows));
        all.push(...deltasOf(rows));
      }
      expect(store.trim({ days: 0, events: 1 }, 1000, 100)).toBe(6);
      expect(segmentCount(sql)).toBe(1);
      expect(store.counters()).toEqual(sumDeltas(all));
      expect(sql.exec<{ n: number }>("SELECT count(*) AS n FROM log_counter").one().n).toBe(3);
    });
  });

  it("folds when too many segments are unfolded, so a scrape stays cheap", async () => {
    await inObject(({ store, sql }) => {
      const all = [];
      for (let i = 0; i <= COUNTERS_UNFOLDED_MAX; i++) {
        const rows = logRows("a", 1 + i, 1);
        store.append(rows, 1000, deltasOf(rows));
        all.push(...deltasOf(rows));
      }
      expect(store.counters()).toEqual(sumDeltas(all));
      expect(sql.exec<{ f: number }>("SELECT folded_through AS f FROM log_meta").one().f).toBe(COUNTERS_UNFOLDED_MAX + 1);
      expect(store.counters()).toEqual(sumDeltas(all));
    });
  });
});

describe("a partition's segment log: barriers", () => {
  it("guards the next offset appended, and reads return the barriers in their range", async () => {
    await inObject(({ store }) => {
      store.append(logRows("a", 1, 10), 1000, []);
      const barrier = store.addBarrier({ partition: 2, offset: 40 });
      expect(barrier).toEqual({ beforeOffset: 11, partition: 2, offset: 40 });
      const appended = store.append(logRows("moved", 1, 5), 1000, []);
      expect(appended?.entries[0]?.barriers).toEqual([barrier]);
      expect(appended?.entries[1]?.barriers).toBeUndefined();
      const all = store.read({ from: 1, ...ALL });
      expect(all.barriers).toEqual([barrier]);
      expect(all.entries[10]?.barriers).toEqual([barrier]);
      expect(store.read({ from: 1, limit: 10, maxBytes: 1 << 20 }).barriers).toEqual([barrier]);
      expect(store.read({ from: 1, limit: 3, maxBytes: 1 << 20 }).barriers).toEqual([]);
      expect(store.read({ from: 12, ...ALL }).barriers).toEqual([]);
      expect(store.read({ from: 1, type: "nothing.*", ...ALL }).barriers).toEqual([barrier]);
    });
  });

  it("keeps a barrier until retention deletes its offset", async () => {
    await inObject(({ store, sql }) => {
      store.append(logRows("a", 1, 10), 1000, []);
      store.addBarrier({ partition: 1, offset: 7 });
      store.append(logRows("b", 1, 10), 1000, []);
      store.append(logRows("c", 1, 10), 1000, []);
      const count = () => sql.exec<{ n: number }>("SELECT count(*) AS n FROM log_barrier").one().n;
      store.trim({ days: 0, events: 20 }, 1000, 1);
      expect(count()).toBe(1);
      store.trim({ days: 0, events: 10 }, 1000, 1);
      expect(count()).toBe(0);
    });
  });
});

describe("readMerged over real partition logs", () => {
  it("with one partition answers exactly what that partition's read answers", async () => {
    await inObject(async ({ store }) => {
      for (let i = 0; i < 30; i++) store.append(logRows(`e${i % 4}`, 1 + i, 1 + (i % 5), i % 3 === 0 ? "x.v1.A" : "x.v1.B", 50 * (i % 4)), 1000 + i, []);
      const logs: PartitionLogs = { count: 1, read: async (_p, q) => store.read(q), bounds: async () => store.bounds() };
      for (const q of [
        { limit: 7, maxBytes: 1 << 20 },
        { limit: 100, maxBytes: 300 },
        { limit: 5, maxBytes: 1 << 20, type: "x.v1.A" },
      ]) {
        let from = 1;
        for (let pages = 0; pages < 100; pages++) {
          const single = store.read({ from, ...q });
          const merged = await readMerged(logs, { from: [from], ...q });
          expect(merged.entries).toEqual(single.entries);
          expect(merged).toMatchObject({ next: [single.nextOffset], head: [single.headOffset], first: [single.firstOffset] });
          if (single.nextOffset > single.headOffset) break;
          from = single.nextOffset;
        }
      }
    });
  });

  it("with three partitions pages through everything once, filtered or not, a barrier respected", async () => {
    const names = [freshId("p0"), freshId("p1"), freshId("p2")];
    const at = <T>(p: number, fn: (store: SegmentStore) => T) =>
      inObject(({ store }) => fn(store), { partition: p }, names[p]);
    const types = ["x.v1.A", "x.v1.B"];
    for (let i = 0; i < 24; i++) {
      const p = i % 3;
      // Partition 2's clock runs behind: by time alone its moved entries would come before partition 0's.
      const now = p === 2 ? 1 + i : 1000 + i * 10;
      await at(p, (s) => s.append(logRows(`e${p}-${i % 2}`, 1 + i, 1 + (i % 4), types[i % 2]), now, []));
      // A shard moves from partition 0 to 2 at i = 12: partition 2 waits for 0 through its head.
      if (i === 12) {
        const head0 = await at(0, (s) => s.bounds().head);
        await at(2, (s) => s.addBarrier({ partition: 0, offset: head0 }));
      }
    }
    const logs: PartitionLogs = { count: 3, read: (p, q) => at(p, (s) => s.read(q)), bounds: (p) => at(p, (s) => s.bounds()) };
    const heads = await Promise.all([0, 1, 2].map((p) => at(p, (s) => s.bounds().head)));
    const barrier = (await at(2, (s) => s.read({ from: 1, ...ALL }))).barriers[0];
    expect(barrier).toBeDefined();
    for (const type of [undefined, "x.v1.A"]) {
      const seen: LogEntry[] = [];
      let from = [1, 1, 1];
      for (let pages = 0; pages < 200 && from.some((f, p) => f <= (heads[p] as number)); pages++) {
        const page = await readMerged(logs, { from, limit: 4, maxBytes: 1 << 20, type });
        seen.push(...page.entries);
        from = page.next;
      }
      for (const p of [0, 1, 2]) {
        const expected = (await at(p, (s) => s.read({ from: 1, type, ...ALL }))).entries;
        expect(seen.filter((e) => e.partition === p).map((e) => e.offset)).toEqual(offsets(expected));
      }
      const guarded = seen.findIndex((e) => e.partition === 2 && e.offset >= (barrier?.beforeOffset ?? 0));
      const through = seen.findLastIndex((e) => e.partition === 0 && e.offset <= (barrier?.offset ?? 0));
      expect(guarded).toBeGreaterThan(through);
    }
  });
});
