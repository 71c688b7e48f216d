// Faults between the Queue, D1 and the consumer: each case once made a read side miss events.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { RECONCILE_GRACE_MS, createReadSideContext, reconcile } from "../../src/readside/index.js";
import { command, freshId } from "../helpers.js";
import { admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

const QUEUE = "statehouse-events";
let msgId = 0;

/**
 * Runs the real Worker's queue() on `bodies` with `e` (possibly with a fault injected into a
 * binding). The messages are the pool's own; each retry's options are recorded on the way through.
 */
async function consumeWith(e: Env, bodies: unknown[], queue = QUEUE, attempts = 1) {
  const batch = createMessageBatch(queue, bodies.map((body) => ({ id: `f${++msgId}`, timestamp: new Date(), attempts, body })));
  const delays: (number | undefined)[] = [];
  const messages = batch.messages.map(
    (m) =>
      new Proxy(m, {
        get(target, prop) {
          if (prop === "retry") return (opts?: QueueRetryOptions) => (delays.push(opts?.delaySeconds), target.retry(opts));
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
  );
  const recorded = new Proxy(batch, {
    get(target, prop) {
      if (prop === "messages") return messages;
      if (prop === "retryAll") return (opts?: QueueRetryOptions) => (messages.forEach(() => delays.push(opts?.delaySeconds)), target.retryAll(opts));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const ctx = createExecutionContext();
  await worker.queue(recorded, e, ctx);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

/**
 * env whose D1 runs `hook` once, right after the first round trip made after `arm()`. Declared
 * read sides are synced before arming, so that round trip is the consumer's own first read.
 */
async function afterFirstD1Call(hook: () => Promise<void>): Promise<Env> {
  let armed = false;
  const fire = async <T>(result: T): Promise<T> => {
    if (armed) {
      armed = false;
      await hook();
    }
    return result;
  };
  const db = env.DB;
  const wrapStatement = (s: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(s, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (typeof v !== "function") return v;
        if (prop === "bind") return (...args: unknown[]) => wrapStatement((v as (...a: unknown[]) => D1PreparedStatement).apply(target, args));
        if (prop === "all" || prop === "first" || prop === "run" || prop === "raw") {
          return async (...args: unknown[]) => fire(await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args));
        }
        return (v as (...a: unknown[]) => unknown).bind(target);
      },
    });
  const DB = new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (q: string) => wrapStatement(target.prepare(q));
      if (prop === "batch") return async (stmts: D1PreparedStatement[]) => fire(await target.batch(stmts));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const raced = { ...env, DB } as Env;
  await createReadSideContext(raced).syncDeclared();
  armed = true;
  return raced;
}

async function cursorOf(side: string, entity: string) {
  return env.DB.prepare("SELECT revision, status, generation, retry_at AS retryAt FROM sh_cursor WHERE read_side_id = ? AND entity_id = ?")
    .bind(side, entity)
    .first<{ revision: number; status: string; generation: string; retryAt: number }>();
}

describe("read-side faults", { timeout: 30_000 }, () => {
  it("retries the original message at the backoff when the follow-up cannot be enqueued", async () => {
    const side = freshReadSideId("lost");
    await behave(side, { mode: "fail-revisions", failRevisions: [1], failTimes: 1 });
    await createReadSide({ id: side, policy: "REPLAY_STOP", retries: 5, backoff_ms: 10_000, auto_start: false });
    await admin(`/read-sides/${side}/resume`, { method: "POST" });
    const e = freshId("lost");
    await env.DB.prepare("UPDATE sh_read_side SET paused = 1 WHERE id = ?").bind(side).run();
    await command(e, { command: { events: [{ n: 1 }] } });
    await env.DB.prepare("UPDATE sh_read_side SET paused = 0 WHERE id = ?").bind(side).run();

    let sends = 0;
    const failingQueue = {
      send: env.EVENTS.send.bind(env.EVENTS),
      sendBatch: async () => {
        sends++;
        throw new Error("Queue sendBatch failed: unavailable");
      },
    };
    const result = await consumeWith({ ...env, EVENTS: failingQueue } as unknown as Env, [{ entityId: e, fromRevision: 1, toRevision: 1, readSideIds: [side] }]);
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
    // A retrying cursor that was due two minutes ago, and no message left to move it.
    const generation = (await env.DB.prepare("SELECT generation FROM sh_read_side WHERE id = ?").bind(side).first<{ generation: string }>())?.generation;
    await env.DB.prepare(
      `INSERT INTO sh_cursor (read_side_id, entity_id, shard, generation, revision, status, attempts, failed_revision, last_error, retry_at, updated_at)
       VALUES (?, ?, 0, ?, 0, 'retrying', 1, 1, 'unavailable: down', ?, ?)`,
    )
      .bind(side, e, generation, Date.now() - 2 * RECONCILE_GRACE_MS, Date.now() - 2 * RECONCILE_GRACE_MS)
      .run();
    await env.DB.prepare("UPDATE sh_read_side SET paused = 0 WHERE id = ?").bind(side).run();
    const report = await reconcile(createReadSideContext(env));
    expect(report.dueRetries).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2]));
    expect(await cursorOf(side, e)).toMatchObject({ revision: 2, status: "ok" });
  });

  it("a read side created while a new entity's first message is in flight still receives that entity", async () => {
    const e = freshId("race");
    const side = freshReadSideId("race");
    await behave(side, { mode: "ok" });
    await env.DB.prepare("UPDATE sh_read_side SET paused = 1").run();
    await command(e, { command: { events: [{ n: 1 }] } });
    await env.DB.prepare("UPDATE sh_read_side SET paused = 0").run();
    // The read side is created (and sweeps the index) right after the consumer's first D1 call.
    const raced = await afterFirstD1Call(async () => {
      await createReadSide({ id: side });
    });
    await consumeWith(raced, [{ entityId: e, fromRevision: 1, toRevision: 1 }]);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));
  });

  it("a dead letter raises the entity's head in the index, and the reconciler re-delivers it", async () => {
    const side = freshReadSideId("dlq");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId("dlq");
    await command(e, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));
    // Revisions 2 and 3 commit, but their message never reaches the consumer (as after a D1 outage
    // longer than the Queue's retries): it arrives on the dead-letter queue instead.
    await env.DB.prepare("UPDATE sh_read_side SET paused = 1 WHERE id = ?").bind(side).run();
    await command(e, { command: { events: [{ n: 2 }, { n: 3 }] } });
    await new Promise((r) => setTimeout(r, 200));
    await env.DB.prepare("UPDATE sh_read_side SET paused = 0 WHERE id = ?").bind(side).run();
    const dead = await consumeWith(env, [{ entityId: e, fromRevision: 2, toRevision: 3 }], "statehouse-events-dlq");
    expect(dead.ackAll).toBe(true);
    expect(okRevisions(await callsOf(side, e))).toEqual([1]);

    await reconcile(createReadSideContext(env), Date.now() + 2 * RECONCILE_GRACE_MS);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
  });

  it("the dead-letter consumer retries with a delay while D1 fails, and acks nothing", async () => {
    const broken = { ...env, DB: { prepare: env.DB.prepare.bind(env.DB), batch: () => Promise.reject(new Error("D1_ERROR: unavailable")) } } as unknown as Env;
    const result = await consumeWith(broken, [{ entityId: "x", fromRevision: 1, toRevision: 1 }], "statehouse-events-dlq", 3);
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
    await env.DB.prepare("UPDATE sh_cursor SET revision = 0 WHERE read_side_id = ? AND entity_id = ?").bind(side, e).run();
    const raced = await afterFirstD1Call(async () => {
      expect((await admin(`/read-sides/${side}`, { method: "DELETE" })).status).toBe(200);
      await createReadSide({ id: side });
    });
    await consumeWith(raced, [{ entityId: e, fromRevision: 1, toRevision: 2, readSideIds: [side] }]);
    const generation = (await env.DB.prepare("SELECT generation FROM sh_read_side WHERE id = ?").bind(side).first<{ generation: string }>())?.generation;
    // The new read side receives every event itself, whatever the stale consumer did meanwhile.
    await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 2, generation }));
    const calls = await callsOf(side, e);
    assertOrdered(calls);
    expect(okRevisions(calls).filter((r) => r === 1).length).toBeGreaterThanOrEqual(3);
  });
});
