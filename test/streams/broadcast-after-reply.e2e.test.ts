// A commit's broadcast runs in a later turn of its object (setTimeout 0): the windows between a commit and its broadcast, held open on purpose, lose nothing.
import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, command, freshId } from "../helpers.js";
import { commit, openSse, revisions, sseReader, subscribe } from "./helpers.js";

/** Holds back the entity objects' broadcast flushes (setTimeout callbacks calling flushBroadcast) until released. */
function holdFlushes() {
  const real = globalThis.setTimeout;
  const held: (() => void)[] = [];
  (globalThis as any).setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    if (typeof fn === "function" && fn.toString().includes("flushBroadcast")) {
      held.push(() => fn(...args));
      return 0;
    }
    return real(fn, ms, ...args);
  };
  const restore = () => ((globalThis as any).setTimeout = real);
  restores.push(restore);
  return {
    held,
    restore,
    /** Runs the held flushes inside the entity's object (its I/O context), as the timer would. */
    async release(entityId: string) {
      restore();
      const stub = env.ENTITY.get(env.ENTITY.idFromName(entityId));
      await runInDurableObject(stub, () => {
        for (const f of held.splice(0)) f();
      });
    },
  };
}
const restores: (() => void)[] = [];
afterEach(() => {
  for (const r of restores.splice(0)) r();
});

/**
 * Waits until the global log holds an entity's events through `revision`: the events queue's
 * consumer is then done with it. The tests that reset every object end this way, so no restarted
 * object is still loading modules from the test runner when the file ends (vitest fails a run
 * whose runner closes under such a load).
 */
async function settled(entityId: string, revision: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const body = (await (await call(`/api/v1/log?entity=${encodeURIComponent(entityId)}&limit=1000`)).json()) as { entries: { revision: number }[] };
      expect(body.entries.at(-1)?.revision).toBe(revision);
    },
    { timeout: 20_000, interval: 100 },
  );
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out: ${what}`)), ms))]);

describe("broadcast after the reply", { timeout: 30_000 }, () => {
  it("probe: the hold catches the flush", async () => {
    const id = freshId("bc-probe");
    await commit(id, [{ i: 1 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 });
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      const h = holdFlushes();
      await commit(id, [{ i: 2 }]);
      expect(h.held.length).toBe(1);
      await h.release(id);
      expect(revisions(await withTimeout(s.take(1), 5000, "rev 2"))).toEqual([2]);
    } finally {
      s.close();
    }
  });

  it("delivers a commit whose flush never ran because the object was reset", async () => {
    const id = freshId("bc-abort");
    await commit(id, [{ i: 1 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 });
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      const h = holdFlushes();
      await commit(id, [{ i: 2 }]);
      expect(h.held.length).toBe(1);
      h.restore();
      await abortAllDurableObjects();
      expect(revisions(await withTimeout(s.take(1), 8000, "rev 2 after reset"))).toEqual([2]);
      // The reset object's batch (its timer never ran) must not hold back the new instance's broadcasts.
      await commit(id, [{ i: 3 }]);
      expect(revisions(await withTimeout(s.take(1), 8000, "rev 3 after reset"))).toEqual([3]);
    } finally {
      s.close();
    }
    await settled(id, 3);
  });

  it("commits waiting together past 256 KiB, a failed command and a late subscriber in between", async () => {
    const id = freshId("bc-big");
    await commit(id, [{ i: 1 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 });
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      const h = holdFlushes();
      const pad = "p".repeat(100_000);
      await commit(id, [{ i: 2, pad }]);
      await commit(id, [{ i: 3, pad }, { i: 4 }]);
      // A command that fails (wrong expected revision) while the earlier commits' broadcast waits.
      const bad = await command(id, { command: { events: [{ i: 5 }] }, expected_revision: 1 });
      expect(bad.status).toBe(409);
      const late = subscribe({ entityId: id, fromRevision: 2 });
      await commit(id, [{ i: 5, pad }]);
      // One flush for the three commits (~300 KB together: a head-only notice).
      expect(h.held.length).toBe(1);
      await h.release(id);
      expect(revisions(await withTimeout(s.take(4), 8000, "s"))).toEqual([2, 3, 4, 5]);
      expect(revisions(await withTimeout(late.take(4), 8000, "late"))).toEqual([2, 3, 4, 5]);
      await commit(id, [{ i: 6 }]);
      expect(revisions(await withTimeout(s.take(1), 8000, "s6"))).toEqual([6]);
      expect(revisions(await withTimeout(late.take(1), 8000, "late6"))).toEqual([6]);
      late.close();
    } finally {
      s.close();
    }
  });

  it("a subscriber from now (from 0) opened between a commit and its flush gets only later events", async () => {
    const id = freshId("bc-now");
    await commit(id, [{ i: 1 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 });
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      const h = holdFlushes();
      await commit(id, [{ i: 2 }, { i: 3 }]);
      const now = subscribe({ entityId: id, fromRevision: 0, includeState: true });
      const first = await withTimeout(now.take(1), 8000, "state");
      expect(first[0]?.meta?.revisionNumber).toBe(3);
      await commit(id, [{ i: 4 }]);
      await h.release(id);
      expect(revisions(await withTimeout(s.take(3), 8000, "s"))).toEqual([2, 3, 4]);
      expect(revisions(await withTimeout(now.take(1), 8000, "now"))).toEqual([4]);
      now.close();
    } finally {
      s.close();
    }
  });

  it("no loss, duplicate or stall when every object is reset right after commits (real timers, 15 rounds)", async () => {
    const id = freshId("bc-race");
    await commit(id, [{ i: 1 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 });
    const sse = sseReader(await openSse(id, "?from=1"));
    let rev = 1;
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      for (let round = 0; round < 15; round++) {
        const a = commit(id, [{ i: ++rev }, { i: ++rev }]);
        const b = commit(id, [{ i: ++rev }]);
        await Promise.all([a, b]);
        if (round % 2 === 0) await abortAllDurableObjects();
      }
      const got = revisions(await withTimeout(s.take(rev - 1), 15000, "subscribe"));
      expect(got).toEqual(Array.from({ length: rev - 1 }, (_, i) => i + 2));
      const events = (await withTimeout(sse.take(rev), 15000, "sse")).filter((e) => e.event === "event").map((e) => Number(e.id));
      expect(events).toEqual(Array.from({ length: rev }, (_, i) => i + 1));
    } finally {
      s.close();
      await sse.close();
    }
    await settled(id, rev);
  });
});
