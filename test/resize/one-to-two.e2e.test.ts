// Going from one partition to two on a live deployment, under load: the odd shards move to partition 1, nothing is lost or delivered twice.
//
// The Worker here runs with STATEHOUSE_PARTITIONS=1 (its own queue consumer and every entity's
// outbox route to partition 0). The test then acts as the new deployment: a consumer and a
// reconciler built from the same bindings with STATEHOUSE_PARTITIONS=2, as after `wrangler deploy`
// with the new setting, while the old deployment's consumer keeps running — as the old version's
// in-flight batches do during a rollout.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { reconcile } from "../../src/readside/index.js";
import { servicesOf } from "../../src/services.js";
import { command, freshId, state } from "../helpers.js";
import { admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "../readside/helpers.js";
import { consume, cursorOf, partitionsOf, readSidesOf } from "../support/pipeline.js";

const resized = { ...env, STATEHOUSE_PARTITIONS: "2" } as Env;

/** Entity ids over many shards: some stay in partition 0, the odd shards' move to partition 1. */
function entities(n: number): string[] {
  return Array.from({ length: n }, () => freshId("mv"));
}

async function headOf(e: string): Promise<number> {
  const s = await state(e);
  return s.status === 200 ? (s.body.meta.revision_number as number) : 0;
}

/** What the new deployment's consumer does for the moved entities: news up to each one's head. */
async function consumeMoved(moved: string[]): Promise<void> {
  const bodies = await Promise.all(moved.map(async (e) => ({ entityId: e, fromRevision: 1, toRevision: await headOf(e) })));
  await consume(bodies, resized);
}

/** Rows a partition's store holds for these entities. */
async function rowsIn(p: number, ids: string[]): Promise<string[]> {
  const store = partitionsOf(resized).store(p);
  return runInDurableObject(store, (_o, st) =>
    st.storage.sql
      .exec<{ entity_id: string }>("SELECT entity_id FROM p_entity WHERE entity_id IN (SELECT value FROM json_each(?))", JSON.stringify(ids))
      .toArray()
      .map((r) => r.entity_id),
  );
}

describe("resizing from one partition to two", { timeout: 120_000 }, () => {
  it("moves the odd shards under load: every event reaches the read side once, in order, and the log holds it once", async () => {
    const side = freshReadSideId("resize");
    await behave(side, { mode: "slow", delayMs: 5 });
    await createReadSide({ id: side });
    const ids = entities(16);
    const p2 = partitionsOf(resized);
    const moved = ids.filter((e) => p2.partitionOf(e) === 1);
    expect(moved.length).toBeGreaterThan(2);
    expect(moved.length).toBeLessThan(ids.length);

    // Before: one partition. Three commands per entity, all delivered.
    for (let i = 1; i <= 3; i++) for (const e of ids) expect((await command(e, { command: { events: [{ i }] } })).status).toBe(200);
    for (const e of ids) await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));

    // The new deployment starts while commands keep coming.
    let writing = true;
    const load = (async () => {
      for (let i = 4; i <= 9; i++) {
        for (const e of ids) expect((await command(e, { command: { events: [{ i }] } })).status).toBe(200);
      }
      writing = false;
    })();
    const newConsumer = (async () => {
      await reconcile(readSidesOf(resized));
      while (writing) {
        await consumeMoved(moved);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await Promise.all([load, newConsumer]);

    // After: every committed event of every entity reached the read side exactly once, in order.
    for (const e of ids) {
      await eventually(async () => {
        if (moved.includes(e)) await consumeMoved([e]);
        expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }, 30_000);
      const calls = await callsOf(side, e);
      assertOrdered(calls);
      expect(calls.filter((c) => c.successful).map((c) => c.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    // Each moved entity's cursors and index row now live in partition 1 only.
    expect((await rowsIn(1, moved)).sort()).toEqual([...moved].sort());
    expect(await rowsIn(0, moved)).toEqual([]);
    for (const e of moved) expect(await cursorOf(side, e)).toBeUndefined(); // the single-partition view no longer finds them
    const status = await servicesOf(resized).manager.status(side);
    expect(status.lag).toBe(0);

    // The log, read as the new deployment reads it: each event once, per entity in revision order
    // (a moved entity's first events in partition 0, then, past the barrier, in partition 1).
    await eventually(async () => {
      const seen = new Map<string, number[]>();
      let from: string | undefined;
      for (let pages = 0; pages < 200; pages++) {
        const page = await servicesOf(resized).eventLog.read({ from, limit: 7 });
        for (const { entry } of page.entries) if (ids.includes(entry.entityId)) seen.set(entry.entityId, [...(seen.get(entry.entityId) ?? []), entry.revision]);
        if (page.entries.length === 0 && page.next === from) break;
        from = page.next;
      }
      for (const e of ids) expect(seen.get(e), e).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const e of moved) await consumeMoved([e]);
    }, 30_000);
    // The manager of the new deployment sees each entity once.
    const cursors = await servicesOf(resized).manager.cursors(side, { limit: 1000 });
    for (const e of ids) expect(cursors.filter((c) => c.entityId === e)).toHaveLength(1);
    expect((await admin(`/read-sides/${side}`)).status).toBe(200);
  });
});
