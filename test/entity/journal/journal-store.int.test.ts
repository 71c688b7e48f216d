// The journal store on a real Durable Object's SQLite: appends, snapshots, pages, compaction, idempotency keys, rollback.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type AppendOptions, type JournalEntry, type JournalStore, createJournalStore } from "../../../src/entity/journal/index.js";
import { freshId } from "../../helpers.js";

const bytes = (n: number, size = 1) => new Uint8Array(size).fill(n % 256);
const row = (revision: number, size = 1): JournalEntry => ({ revision, event: bytes(revision, size), state: bytes(revision + 100, size), meta: bytes(revision + 200) });
const rows = (from: number, to: number, size = 1) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i, size));
const options = (o: Partial<AppendOptions> = {}): AppendOptions => ({ published: 0, snapshotFrequency: 1000, snapshotsToRetain: 2, ...o });

/** Runs `f` against a journal store on a fresh entity object's storage (the object's own store is never used here). */
async function withStore<T>(f: (journal: JournalStore, storage: DurableObjectStorage) => T): Promise<T> {
  const stub = env.ENTITY.get(env.ENTITY.idFromName(freshId("journal")));
  return runInDurableObject(stub, (_instance, state) => f(createJournalStore(state.storage), state.storage));
}

const tablesOf = (storage: DurableObjectStorage) =>
  storage.sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sh_%' ORDER BY name")
    .toArray()
    .map((r) => r.name);

describe("JournalStore", () => {
  it("reads nothing and creates no table for an entity that was never written", async () => {
    const seen = await withStore((j, storage) => ({
      head: j.head(),
      page: j.read(1, 10, 1024),
      first: j.firstRetained(),
      key: j.idempotencyKey("k"),
      compactable: j.compactable(),
      written: j.counts.rowsWritten,
      tables: tablesOf(storage),
    }));
    expect(seen).toEqual({ head: undefined, page: [], first: 0, key: undefined, compactable: undefined, written: 0, tables: [] });
  });

  it("gives back appended rows in revision order, with the head and the outbox mark recorded with them", async () => {
    const seen = await withStore((j) => {
      j.append(rows(1, 2), 0, options({ published: 0 }));
      j.append(rows(3, 3), 2, options({ published: 2 }));
      return { head: j.head(), page: j.read(2, 10, 1024).map((r) => r.revision), at2: j.stateAt(2), first: j.firstRetained() };
    });
    expect(seen.head).toEqual({ revision: 3, state: bytes(103), meta: bytes(203), published: 2 });
    expect(seen.page).toEqual([2, 3]);
    expect(seen.at2).toEqual({ revision: 2, state: bytes(102), meta: bytes(202) });
    expect(seen.first).toBe(1);
  });

  it("ends a page once it holds maxBytes, yet always returns at least one row", async () => {
    const seen = await withStore((j) => {
      j.append(rows(1, 5, 100), 0, options());
      return { small: j.read(1, 10, 250).map((r) => r.revision), tiny: j.read(4, 10, 1).map((r) => r.revision), limited: j.read(1, 2, 1e6).map((r) => r.revision) };
    });
    // Each row holds 100 + 100 + 1 bytes: the second row passes 250.
    expect(seen).toEqual({ small: [1, 2], tiny: [4], limited: [1, 2] });
  });

  it("snapshots each multiple of the frequency a commit crosses and keeps only the newest snapshots", async () => {
    const seen = await withStore((j, storage) => {
      const o = options({ snapshotFrequency: 2, snapshotsToRetain: 2 });
      j.append(rows(1, 3), 0, o);
      j.append(rows(4, 7), 3, o);
      j.append(rows(8, 8), 7, o);
      return storage.sql.exec<{ revision: number }>("SELECT revision FROM sh_snapshot ORDER BY revision").toArray().map((r) => r.revision);
    });
    // One snapshot per commit, at the last multiple it crosses (2, 6, 8); two are kept.
    expect(seen).toEqual([6, 8]);
  });

  it("compacts only rows older than the oldest snapshot and not past the mark it is given, and records when", async () => {
    const seen = await withStore((j) => {
      j.append(rows(1, 6), 0, options({ snapshotFrequency: 4 }));
      const bound = j.compactable();
      const held = j.compact(2, 1000);
      const afterHeld = j.firstRetained();
      const rest = j.compact(Number.POSITIVE_INFINITY, 2000);
      return { bound, held, afterHeld, rest, first: j.firstRetained(), at: j.compactedAt(), snapshot: j.stateAt(4)?.revision, gone: j.stateAt(2), again: j.compact(10, 3000) };
    });
    expect(seen).toEqual({ bound: 3, held: 2, afterHeld: 3, rest: 1, first: 4, at: 2000, snapshot: 4, gone: undefined, again: 0 });
  });

  it("records an idempotency key with the revision it reached and its command hash, and forgets it once expired", async () => {
    const seen = await withStore((j) => {
      j.append(rows(1, 2), 0, options({ idempotency: { key: "k1", commandHash: bytes(7, 32), now: 1000 } }));
      j.append([], 2, options({ idempotency: { key: "k2", commandHash: bytes(8, 32), now: 5000 } }));
      const before = { k1: j.idempotencyKey("k1"), k2: j.idempotencyKey("k2") };
      j.expireIdempotencyKeys(2000);
      return { before, k1: j.idempotencyKey("k1"), k2: j.idempotencyKey("k2")?.revision };
    });
    expect(seen.before).toEqual({ k1: { revision: 2, commandHash: bytes(7, 32) }, k2: { revision: 2, commandHash: bytes(8, 32) } });
    expect(seen.k1).toBeUndefined();
    expect(seen.k2).toBe(2);
  });

  it("rolls a failed append back whole, tables it created included, and appends again afterwards", async () => {
    const seen = await withStore((j, storage) => {
      let error = "";
      try {
        // The second row repeats revision 1: the primary key refuses it inside the transaction.
        j.append([row(1), row(1)], 0, options({ snapshotFrequency: 1, idempotency: { key: "k", commandHash: bytes(1, 32), now: 1 } }));
      } catch (cause) {
        error = String(cause);
      }
      const after = { head: j.head(), key: j.idempotencyKey("k"), tables: tablesOf(storage) };
      j.append(rows(1, 1), 0, options());
      return { error, after, head: j.head()?.revision };
    });
    expect(seen.error).toMatch(/UNIQUE constraint failed/);
    expect(seen.after).toEqual({ head: undefined, key: undefined, tables: [] });
    expect(seen.head).toBe(1);
  });
});
