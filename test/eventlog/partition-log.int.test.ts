// One partition's log across its store and the archive bucket (real SQLite, real R2): reads span both tiers, retention trims the oldest first, a crash between the put and the index loses nothing.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  ARCHIVE_SCHEMA,
  type ArchiveBucket,
  type ArchivePolicy,
  type LogEntry,
  type PartitionLog,
  SEGMENT_SCHEMA,
  createPartitionLog,
  createSegmentStore,
} from "../../src/eventlog/index.js";
import { freshId } from "../helpers.js";
import { logRows } from "./log-rows.js";

/** The LOG_ARCHIVE bucket under a fresh prefix, counting the calls, with hooks a test can set. */
function testBucket() {
  const prefix = `${freshId("t")}/`;
  const calls = { put: 0, get: 0, delete: 0 };
  const hooks: { beforeGet?: (key: string) => Promise<void> } = {};
  const bucket: ArchiveBucket = {
    async put(key, body) {
      calls.put++;
      await env.LOG_ARCHIVE.put(prefix + key, body);
    },
    async get(key) {
      calls.get++;
      await hooks.beforeGet?.(key);
      const o = await env.LOG_ARCHIVE.get(prefix + key);
      return o === null ? undefined : new Uint8Array(await o.arrayBuffer());
    },
    async delete(keys) {
      calls.delete++;
      await env.LOG_ARCHIVE.delete(keys.map((k) => prefix + k));
    },
  };
  const stored = async () => (await env.LOG_ARCHIVE.list({ prefix })).objects.map((o) => o.key.slice(prefix.length));
  return { bucket, calls, hooks, stored };
}

interface InObject {
  log: PartitionLog;
  /** Appends `n` rows of one entity as one segment (one commit), of `type`. */
  append(n: number, type?: string): void;
  /** Swaps the bucket (undefined: none bound). */
  setBucket(b: ArchiveBucket | undefined): void;
  /** Makes the next transaction throw (a crash after the put, before the index row). */
  failNextTransaction(): void;
}

/** Runs `fn` inside a fresh SQLite-backed object with a two-tier log over `bucket`. */
function inObject<T>(bucket: ArchiveBucket | undefined, fn: (o: InObject) => Promise<T>): Promise<T> {
  const stub = env.LOG_HUB.get(env.LOG_HUB.idFromName(freshId("plog")));
  return runInDurableObject(stub, async (_instance, state) => {
    const sql = state.storage.sql;
    for (const statement of [...SEGMENT_SCHEMA, ...ARCHIVE_SCHEMA]) sql.exec(statement);
    const segments = createSegmentStore(sql);
    let current = bucket;
    let fail = false;
    const log = createPartitionLog({
      sql,
      segments,
      transact: (f) =>
        state.storage.transactionSync(() => {
          if (fail) {
            fail = false;
            throw new Error("the object was reset between the put and the index row");
          }
          return f();
        }),
      bucket: () => current,
      partition: () => 0,
    });
    const entity = freshId("e");
    let revision = 0;
    return fn({
      log,
      append(n, type = "test.v1.Thing") {
        const rows = logRows(entity, revision + 1, n, type);
        revision += n;
        state.storage.transactionSync(() => log.append(rows, Date.now(), []));
      },
      setBucket: (b) => {
        current = b;
      },
      failNextTransaction: () => {
        fail = true;
      },
    });
  });
}

const policy: ArchivePolicy = { hotEntries: 6, objectEntries: 6, objectBytes: 1 << 20 };
const page = { limit: 1000, maxBytes: 1 << 20 };

/** Archives until nothing more is due; the entries archived. */
async function archiveAll(log: PartitionLog): Promise<number> {
  let total = 0;
  for (let n = await log.archive(policy); n > 0; n = await log.archive(policy)) total += n;
  return total;
}

/** Every entry from `from`, page by page. */
async function readAll(log: PartitionLog, from: number, limit: number, type?: string): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (let at = from; ; ) {
    const p = await log.read({ from: at, limit, maxBytes: 1 << 20, type });
    out.push(...p.entries);
    if (p.nextOffset > p.headOffset) return out;
    expect(p.nextOffset).toBeGreaterThan(at);
    at = p.nextOffset;
  }
}

const offsets = (entries: readonly LogEntry[]) => entries.map((e) => e.offset);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("a partition's log over its store and the archive", () => {
  it("archives whole segments beyond the hot window and reads both tiers as one log, at every page size", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      for (let i = 0; i < 10; i++) append(3);
      expect(await archiveAll(log)).toBe(24);
      // Whole segments of 3; the newest 6 entries stay, and no object holds more than 6.
      expect(log.bounds()).toEqual({ head: 30, first: 1, hotFirst: 25 });
      expect(log.hotEntries()).toBe(6);
      expect(await t.stored()).toEqual(["log/p0/0000000000000001-0000000000000006.binpb.gz", "log/p0/0000000000000007-0000000000000012.binpb.gz", "log/p0/0000000000000013-0000000000000018.binpb.gz", "log/p0/0000000000000019-0000000000000024.binpb.gz"]);
      for (const limit of [1, 4, 5, 7, 1000]) expect(offsets(await readAll(log, 1, limit))).toEqual(range(1, 30));
      // From the middle of an archived object, and across the boundary into the hot segments.
      expect(offsets((await log.read({ from: 23, limit: 4, maxBytes: 1 << 20 })).entries)).toEqual([23, 24, 25, 26]);
      // Entries read back from the archive are the ones appended: entity, revision, payloads.
      const [first] = (await log.read({ from: 1, limit: 1, maxBytes: 1 << 20 })).entries;
      expect(first).toMatchObject({ offset: 1, revision: 1, eventType: "test.v1.Thing" });
      expect(Array.from(first?.event ?? [])).toEqual([1, 1, 1]);
    });
  });

  it("archives whole segments only: never the newest, never one reaching into the hot window", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      append(8);
      // One segment of 8: the newest, and partly within the newest 6.
      expect(await log.archive(policy)).toBe(0);
      append(6);
      // Wholly older than the newest 6 now, and more than an object holds: whole segments only, so it goes alone.
      expect(await log.archive(policy)).toBe(8);
      append(1);
      append(1);
      // 9–14 holds entries within the newest 6: nothing is due.
      expect(await log.archive(policy)).toBe(0);
      expect(log.bounds()).toEqual({ head: 16, first: 1, hotFirst: 9 });
    });
  });

  it("skips archive objects without the filtered type, fetching none of them", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      for (let i = 0; i < 4; i++) append(6, "bank.v1.Opened");
      append(6, "bank.v1.Closed");
      for (let i = 0; i < 3; i++) append(6, "bank.v1.Opened");
      await archiveAll(log);
      t.calls.get = 0;
      const closed = await readAll(log, 1, 100, "bank.v1.Closed");
      expect(offsets(closed)).toEqual(range(25, 30));
      expect(t.calls.get).toBe(1);
      expect(await readAll(log, 1, 100, "no.such.*")).toEqual([]);
      expect(t.calls.get).toBe(1);
    });
  });

  it("examines one window of offsets in a filtered read that starts in the archive and goes on in the store", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      for (let i = 0; i < 3; i++) append(3000);
      // The newest 5,000 reach into the second segment: only the first is archived.
      expect(await log.archive({ ...policy, hotEntries: 5000, objectEntries: 3000 })).toBe(3000);
      expect(log.bounds()).toEqual({ head: 9000, first: 1, hotFirst: 3001 });
      // A filtered read looks at 5,000 offsets (LOG_SCAN_WINDOW): 1–3000 archived, 3001–5000 in the store.
      const p = await log.read({ from: 1, limit: 1000, maxBytes: 1 << 20, type: "no.such.*" });
      expect(p.entries).toEqual([]);
      expect(p.nextOffset).toBe(5001);
      const q = await log.read({ from: 2500, limit: 1000, maxBytes: 1 << 20, type: "test.v1.*" });
      expect(q.entries.at(-1)?.offset).toBe(3499);
    });
  });

  it("applies retention to the archive first, whole objects, and to hot segments only once nothing older is archived", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      for (let i = 0; i < 10; i++) append(3);
      await archiveAll(log);
      // Keep the newest 20: the objects wholly older than that go (1–6); 7–12 holds offset 11, kept.
      expect(await log.trim({ days: 0, events: 20 }, Date.now(), 10)).toBe(6);
      expect(log.bounds()).toMatchObject({ first: 7, hotFirst: 25 });
      expect(await t.stored()).toHaveLength(3);
      expect(offsets(await readAll(log, 1, 5))).toEqual(range(7, 30));
      // Keep the newest 3: every archive object goes, then the hot segment retention no longer keeps (25–27).
      expect(await log.trim({ days: 0, events: 3 }, Date.now(), 10)).toBe(18 + 3);
      expect(await t.stored()).toEqual([]);
      expect(log.bounds()).toEqual({ head: 30, first: 28, hotFirst: 28 });
    });
  });

  it("loses and doubles nothing when the object is reset between the put and the index row", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append, failNextTransaction }) => {
      for (let i = 0; i < 4; i++) append(3);
      failNextTransaction();
      await expect(log.archive(policy)).rejects.toThrow(/reset between the put/);
      // The put happened, the segments are still hot: the next attempt writes the same object again.
      expect(log.bounds()).toEqual({ head: 12, first: 1, hotFirst: 1 });
      expect(await log.archive(policy)).toBe(6);
      expect(t.calls.put).toBe(2);
      expect(await t.stored()).toEqual(["log/p0/0000000000000001-0000000000000006.binpb.gz"]);
      expect(offsets(await readAll(log, 1, 4))).toEqual(range(1, 12));
    });
  });

  it("reads on without a gap when archiving moves hot segments while a read waits for the bucket", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      for (let i = 0; i < 4; i++) append(3);
      expect(await log.archive(policy)).toBe(6);
      for (let i = 0; i < 2; i++) append(3);
      // A read of 1.. waits on the bucket; meanwhile 7–12 (hot when the read began) is archived.
      let release: () => void = () => {};
      t.hooks.beforeGet = () => new Promise<void>((r) => (release = r));
      const reading = log.read({ from: 1, ...page });
      await new Promise((r) => setTimeout(r, 10));
      t.hooks.beforeGet = undefined;
      expect(await log.archive(policy)).toBe(6);
      release();
      const first = await reading;
      expect(offsets(first.entries)).toEqual(range(1, 6));
      expect(first.nextOffset).toBe(7);
      expect(offsets(await readAll(log, 1, 1000))).toEqual(range(1, 18));
    });
  });

  it("says which offsets are archived when no bucket is bound, and archives nothing without one", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append, setBucket }) => {
      for (let i = 0; i < 4; i++) append(3);
      await archiveAll(log);
      setBucket(undefined);
      expect(await log.archive(policy)).toBe(0);
      await expect(log.read({ from: 1, ...page })).rejects.toThrow(/offsets 1–6 are archived, but no LOG_ARCHIVE bucket is bound/);
      // The hot tail still reads.
      expect(offsets((await log.read({ from: 7, ...page })).entries)).toEqual(range(7, 12));
      // Retention still frees the store: it forgets the expired objects (they stay in the bucket) and trims hot segments.
      expect(await log.trim({ days: 0, events: 3 }, Date.now(), 10)).toBe(6 + 3);
      expect(log.bounds()).toEqual({ head: 12, first: 10, hotFirst: 10 });
      expect(await t.stored()).toEqual(["log/p0/0000000000000001-0000000000000006.binpb.gz"]);
    });
  });

  it("says which object is missing when the bucket lost it", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      for (let i = 0; i < 4; i++) append(3);
      await archiveAll(log);
      await t.bucket.delete(["log/p0/0000000000000001-0000000000000006.binpb.gz"]);
      await expect(log.read({ from: 1, ...page })).rejects.toThrow(/archive object log\/p0\/0000000000000001-0000000000000006\.binpb\.gz \(offsets 1–6\) is missing/);
    });
  });
});

describe("a partition's log over its store and the archive, under stress", () => {
  it("reads every archived entry when a page spans more archive objects than one index query lists", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      // Objects of one entry each: 74 archive objects, then 6 hot entries.
      const single: ArchivePolicy = { hotEntries: 6, objectEntries: 1, objectBytes: 1 << 20 };
      for (let i = 0; i < 80; i++) append(1);
      let archived = 0;
      for (let n = await log.archive(single); n > 0; n = await log.archive(single)) archived += n;
      expect(archived).toBe(74);
      expect(offsets(await readAll(log, 1, 1000))).toEqual(range(1, 80));
      expect(offsets(await readAll(log, 1, 1000, "test.v1.*"))).toEqual(range(1, 80));
    });
  });

  it("answers from what retention kept when retention deletes the object a read is waiting for", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append }) => {
      for (let i = 0; i < 6; i++) append(3);
      expect(await archiveAll(log)).toBe(12);
      // A read of 1.. waits on the bucket; meanwhile retention deletes the object it is reading (1–6).
      let release: () => void = () => {};
      t.hooks.beforeGet = () => new Promise<void>((r) => (release = r));
      const reading = log.read({ from: 1, ...page });
      await new Promise((r) => setTimeout(r, 10));
      t.hooks.beforeGet = undefined;
      expect(await log.trim({ days: 0, events: 12 }, Date.now(), 10)).toBe(6);
      release();
      // The entries from 1 to 6 are gone by retention, not missing from the bucket: the read answers from 7.
      const p = await reading;
      expect(p.firstOffset).toBe(7);
      expect(offsets(p.entries)).toEqual(range(7, 18));
    });
  });

  it("leaves no object behind when the put is retried under another choice of segments after a crash", async () => {
    const t = testBucket();
    await inObject(t.bucket, async ({ log, append, failNextTransaction }) => {
      append(3);
      append(3);
      // A tail archive (the store full) takes all but the newest segment, 1–3, and crashes between the put and the index row.
      failNextTransaction();
      await expect(log.archive({ ...policy, hotEntries: 0 }, true)).rejects.toThrow(/reset between the put/);
      // The store takes rows again; the next attempt chooses 1–6, a different object.
      append(3);
      append(3);
      expect(await log.archive(policy)).toBe(6);
      // Retention deletes everything archived: nothing may stay in the bucket, the first attempt's object included.
      await log.trim({ days: 0, events: 3 }, Date.now(), 10);
      expect(log.bounds().first).toBe(10);
      expect(await t.stored()).toEqual([]);
    });
  });
});
