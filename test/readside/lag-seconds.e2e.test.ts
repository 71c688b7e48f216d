// Lag in seconds: how long the oldest event a read side has not handled has waited, per cursor and per shard.
import { describe, expect, it } from "vitest";
import { shardOf } from "../../src/partition/index.js";
import { command, freshId } from "../helpers.js";
import { editEntityRow } from "../support/pipeline.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId } from "./helpers.js";

const emit = (n: number) => ({ command: { events: Array.from({ length: n }, (_, i) => ({ i })) } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cursorOf = async (side: string, e: string) => (await admin(`/read-sides/${side}/cursors?entity=${e}`)).body.cursors[0];

describe("lag in seconds", { timeout: 30_000 }, () => {
  it("counts from when the oldest waiting event was first known, not from the entity's first event, and clears once caught up", async () => {
    const side = freshReadSideId("lagsec");
    await behave(side, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: side, policy: "STOP" });
    const e = freshId();
    await command(e, emit(1));
    await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 1, lag: 0, lag_seconds: null }));

    // Revision 1 is old by the time 2 and 3 arrive; the stopped cursor waits on 2.
    await sleep(1_500);
    const sent = Date.now();
    await command(e, emit(2));
    const stopped = await eventually(async () => {
      const c = await cursorOf(side, e);
      expect(c).toMatchObject({ revision: 1, head_revision: 3, lag: 2, status: "stopped", failed_revision: 2 });
      return { cursor: c, seen: Date.now() };
    });
    // Counted from revision 2's arrival: an age from revision 1 would be at least 1.5 s.
    expect(stopped.cursor.lag_seconds).toBeLessThanOrEqual(Math.floor((stopped.seen - sent) / 1000));

    // It grows while the cursor waits, and the shard's lag says the same.
    await sleep(Math.max(0, stopped.seen + 1_100 - Date.now()));
    const waited = await cursorOf(side, e);
    expect(waited.lag_seconds).toBeGreaterThanOrEqual(1);
    expect(waited.lag_seconds).toBeLessThanOrEqual(Math.floor((Date.now() - sent) / 1000));
    const status = (await admin(`/read-sides/${side}/status`)).body;
    const shard = status.lag_by_shard.find((l: { shard: number }) => l.shard === shardOf(e, 16));
    expect(shard.lag).toBeGreaterThanOrEqual(2);
    expect(shard.lag_seconds).toBeGreaterThanOrEqual(1);
    expect(status.lag_seconds).toBeGreaterThanOrEqual(shard.lag_seconds);

    await behave(side, { mode: "ok" });
    expect((await admin(`/read-sides/${side}/resume`, { method: "POST" })).status).toBe(200);
    await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 3, lag: 0, lag_seconds: null, status: "ok" }));
  });

  it("counts a restarted cursor from the entity's first event", async () => {
    const side = freshReadSideId("lagrestart");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId();
    const born = Date.now();
    await command(e, emit(2));
    await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 2, lag: 0 }));
    await sleep(1_100);
    // The handler now fails everything: the restarted cursor waits on revision 1, born over a second ago.
    await behave(side, { mode: "http-500" });
    await admin(`/read-sides/${side}/restart?shard=${shardOf(e, 16)}`, { method: "POST" });
    const c = await eventually(async () => {
      const cur = await cursorOf(side, e);
      expect(cur).toMatchObject({ revision: 0, lag: 2 });
      return cur;
    });
    expect(c.lag_seconds).toBeGreaterThanOrEqual(1);
    expect(c.lag_seconds).toBeLessThanOrEqual(Math.floor((Date.now() - born) / 1000));
  });
  it("counts from when the partition learned of an event, not from when a slow batch committed it", async () => {
    // One batch delivers to both read sides: the slow one holds the commit for 3 s, the stopped one waits on revision 2 all along.
    const slow = freshReadSideId("lagslow");
    const stuck = freshReadSideId("lagstuck");
    await behave(slow, { mode: "ok" });
    await behave(stuck, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: slow });
    await createReadSide({ id: stuck, policy: "STOP" });
    const e = freshId();
    await command(e, emit(1));
    await eventually(async () => {
      expect(await cursorOf(slow, e)).toMatchObject({ revision: 1, lag: 0 });
      expect(await cursorOf(stuck, e)).toMatchObject({ revision: 1, lag: 0 });
    });
    await behave(slow, { mode: "slow", delayMs: 3_000 });
    await command(e, emit(1));
    // The stopped side's handler was called for revision 2: the partition had loaded the batch by then.
    const called = await eventually(async () => {
      expect((await callsOf(stuck, e)).some((c) => c.revision === 2)).toBe(true);
      return Date.now();
    });
    // `called` is after the load; `at` is before the server read the cursor: a bound from below on the wait it saw.
    const seen = await eventually(async () => {
      const at = Date.now();
      const c = await cursorOf(stuck, e);
      expect(c).toMatchObject({ revision: 1, lag: 1, status: "stopped" });
      return { cursor: c, at };
    }, 20_000);
    // Revision 2 has waited at least since the handler was called (about 3 s before the commit): a
    // wait read from the commit would be about 0. Only a lower bound: a slow machine weakens it, never fails it.
    expect(seen.cursor.lag_seconds).toBeGreaterThanOrEqual(Math.floor((seen.at - called) / 1000));
  });
  it("says a shard's wait is unknown, not that of its newer entities, while an entity indexed before marks waits in it", async () => {
    const side = freshReadSideId("lagold");
    await behave(side, { mode: "fail-revisions", failRevisions: [1] });
    await createReadSide({ id: side, policy: "STOP" });
    const old = freshId("lagold");
    let young = freshId("lagyoung");
    while (shardOf(young, 16) !== shardOf(old, 16)) young = freshId("lagyoung");
    await command(old, emit(2));
    await eventually(async () => expect(await cursorOf(side, old)).toMatchObject({ revision: 0, lag: 2, status: "stopped" }));
    // As a store from before marks left it: the old entity's events have waited for an unknown time (days, say).
    await editEntityRow(old, "UPDATE p_entity SET marks = '[]' WHERE entity_id = ?1");
    expect((await cursorOf(side, old)).lag_seconds).toBeNull();
    await sleep(1_100);
    await command(young, emit(1));
    await eventually(async () => expect(await cursorOf(side, young)).toMatchObject({ revision: 0, lag: 1, status: "stopped" }));
    const status = (await admin(`/read-sides/${side}/status`)).body;
    const shard = status.lag_by_shard.find((l: { shard: number }) => l.shard === shardOf(old, 16));
    // At least these two entities' 3 events (earlier tests' entities in the shard lag for the new read side too).
    expect(shard.lag).toBeGreaterThanOrEqual(3);
    // The young entity's wait (about 0 s) is not the shard's: the old one's is older, and not known.
    expect(shard.lag_seconds).toBeNull();
    expect(status.lag_seconds).toBeNull();
  });
});
