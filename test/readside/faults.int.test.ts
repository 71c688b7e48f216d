// Faults between the Queue, the partition stores and the consumer: each case once made a read side miss events.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RECONCILE_GRACE_MS, reconcile } from "../../src/readside/index.js";
import { command, freshId } from "../helpers.js";
import {
  DEAD_LETTER_QUEUE,
  consume,
  cursorOf,
  editReadSides,
  generationOf,
  indexHead,
  readSidesOf,
  setCursor,
  withPartitionHook,
} from "../support/pipeline.js";
import { admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

/**
 * env whose partition store runs `hook` once, right after the first `load` made after arming —
 * the consumer's own read of positions. Declared read sides are synced before arming.
 */
async function afterFirstLoad(hook: () => Promise<void>): Promise<Env> {
  let armed = false;
  const raced = withPartitionHook(async (method, _p, call) => {
    const result = await call();
    if (armed && method === "load") {
      armed = false;
      await hook();
    }
    return result;
  });
  await readSidesOf(raced).syncDeclared();
  armed = true;
  return raced;
}

describe("read-side faults", { timeout: 30_000 }, () => {
  it("retries the original message at the backoff when the follow-up cannot be enqueued", async () => {
    const side = freshReadSideId("lost");
    await behave(side, { mode: "fail-revisions", failRevisions: [1], failTimes: 1 });
    await createReadSide({ id: side, policy: "REPLAY_STOP", retries: 5, backoff_ms: 10_000, auto_start: false });
    await admin(`/read-sides/${side}/resume`, { method: "POST" });
    const e = freshId("lost");
    await editReadSides("UPDATE sh_read_side SET paused = 1 WHERE id = ?", side);
    await command(e, { command: { events: [{ n: 1 }] } });
    // The consumer has taken the commit's message while the read side was paused.
    await eventually(async () => expect(await indexHead(e)).toBe(1));
    await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);

    let sends = 0;
    const failingQueue = {
      send: env.EVENTS.send.bind(env.EVENTS),
      sendBatch: async () => {
        sends++;
        throw new Error("Queue sendBatch failed: unavailable");
      },
    };
    const result = await consume([{ entityId: e, fromRevision: 1, toRevision: 1, readSideIds: [side] }], { ...env, EVENTS: failingQueue } as unknown as Env);
    expect(sends).toBe(1);
    expect((await cursorOf(side, e))?.status).toBe("retrying");
    // The retried original stands in for the lost follow-up: it comes back when the retry is due.
    expect(result.retryMessages).toHaveLength(1);
    expect(result.delays[0]).toBeGreaterThanOrEqual(10);
    expect(result.explicitAcks).toHaveLength(0);
  });

  it("the reconciler re-enqueues a retry whose follow-up message was lost", async () => {
    const side = freshReadSideId("recon");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, auto_start: false });
    const e = freshId("recon");
    await command(e, { command: { events: [{ n: 1 }, { n: 2 }] } });
    // The consumer has taken the commit's message (holding back the paused read side).
    await eventually(async () => expect(await indexHead(e)).toBe(2));
    // A retrying cursor that was due two minutes ago, and no message left to move it.
    const due = Date.now() - 2 * RECONCILE_GRACE_MS;
    await setCursor(side, e, { r: 0, s: "retrying", a: 1, f: 1, m: "unavailable: down", t: due, u: due });
    await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
    const report = await reconcile(readSidesOf());
    expect(report.dueRetries).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2]));
    // The cursor is written once the batch commits, a moment after the handler answered.
    await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 2, status: "ok" }));
  });

  it("a read side created while a new entity's first message is in flight still receives that entity", async () => {
    const e = freshId("race");
    const side = freshReadSideId("race");
    await behave(side, { mode: "ok" });
    await editReadSides("UPDATE sh_read_side SET paused = 1");
    await command(e, { command: { events: [{ n: 1 }] } });
    await editReadSides("UPDATE sh_read_side SET paused = 0");
    // The read side is created (and sweeps the index) right after the consumer's load from its partition.
    const raced = await afterFirstLoad(async () => {
      await createReadSide({ id: side });
    });
    await consume([{ entityId: e, fromRevision: 1, toRevision: 1 }], raced);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));
  });

  it("a dead letter raises the entity's head in the index, and the reconciler re-delivers it", async () => {
    const side = freshReadSideId("dlq");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId("dlq");
    await command(e, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));
    // Revisions 2 and 3 commit, but their message never reaches the consumer (as after an outage
    // longer than the Queue's retries): it arrives on the dead-letter queue instead.
    await editReadSides("UPDATE sh_read_side SET paused = 1 WHERE id = ?", side);
    await command(e, { command: { events: [{ n: 2 }, { n: 3 }] } });
    // Until the Worker's consumer has held the message for the paused read side (the index learns
    // head 3), resuming could let it deliver 2 and 3 itself: a fixed wait lost that race under load.
    await eventually(async () => expect((await admin(`/read-sides/${side}/cursors?entity=${encodeURIComponent(e)}`)).body.cursors[0]?.head_revision).toBe(3));
    await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
    const dead = await consume([{ entityId: e, fromRevision: 2, toRevision: 3 }], env, DEAD_LETTER_QUEUE);
    expect(dead.ackAll).toBe(true);
    expect(okRevisions(await callsOf(side, e))).toEqual([1]);

    await reconcile(readSidesOf(), Date.now() + 2 * RECONCILE_GRACE_MS);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
  });

  it("the dead-letter consumer retries with a delay while D1 fails, and acks nothing", async () => {
    const broken = { ...env, DB: { prepare: env.DB.prepare.bind(env.DB), batch: () => Promise.reject(new Error("D1_ERROR: unavailable")) } } as unknown as Env;
    const result = await consume([{ entityId: "x", fromRevision: 1, toRevision: 1 }], broken, DEAD_LETTER_QUEUE, 3);
    expect(result.ackAll).toBe(false);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.delays[0]).toBeGreaterThanOrEqual(30);
  });

  it("a consumer holding a deleted read side's definition cannot hand its cursor to a new read side with the same id", async () => {
    const side = freshReadSideId("gen");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId("gen");
    await command(e, { command: { events: [{ n: 1 }, { n: 2 }] } });
    await eventually(async () => expect((await cursorOf(side, e))?.revision).toBe(2));
    // A consumer loads the read sides; then the read side is deleted and created again.
    await setCursor(side, e, { r: 0 });
    const raced = await afterFirstLoad(async () => {
      expect((await admin(`/read-sides/${side}`, { method: "DELETE" })).status).toBe(200);
      await createReadSide({ id: side });
    });
    await consume([{ entityId: e, fromRevision: 1, toRevision: 2, readSideIds: [side] }], raced);
    const generation = await generationOf(side);
    // The new read side receives every event itself, whatever the stale consumer did meanwhile.
    await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 2, generation }));
    const calls = await callsOf(side, e);
    assertOrdered(calls);
    expect(okRevisions(calls).filter((r) => r === 1).length).toBeGreaterThanOrEqual(3);
  });
});
