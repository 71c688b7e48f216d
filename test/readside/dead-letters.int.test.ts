// Messages that exhaust their retries reach the dead-letter queue and are recorded for replay.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { command, freshId } from "../helpers.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

async function consume(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(queue, bodies.map((body, i) => ({ id: `dl${i}-${Date.now()}`, timestamp: new Date(), attempts, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("dead letters", { timeout: 30_000 }, () => {
  it("records what reaches the dead-letter queue, and replays it on request", async () => {
    const side = freshReadSideId("dlq");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, auto_start: false });
    const e = freshId("dl");
    await command(e, { command: { events: [{ n: 1 }, { n: 2 }] } });
    const body = { entityId: e, fromRevision: 1, toRevision: 2 };
    const result = await consume("statehouse-events-dlq", [body], 11);
    expect(result.ackAll).toBe(true);

    const letters = (await admin("/dead-letters")).body.dead_letters;
    const letter = letters.find((l: { body: string }) => JSON.parse(l.body).entityId === e);
    expect(letter).toMatchObject({ queue: "statehouse-events-dlq", attempts: 11, replayed_at: null });

    await admin(`/read-sides/${side}/resume`, { method: "POST" });
    expect((await admin(`/dead-letters/${letter.id}/replay`, { method: "POST" })).body).toEqual({ successful: true });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2]));
    const after = (await admin("/dead-letters")).body.dead_letters;
    expect(after.find((l: { id: number }) => l.id === letter.id)).toBeUndefined();
  });

  it("keeps a message it cannot read as a dead letter instead of dropping it", async () => {
    const result = await consume("statehouse-events", [{ hello: "world" }, { entityId: "", fromRevision: 1, toRevision: 1 }]);
    expect(result.explicitAcks).toHaveLength(2);
    const letters = (await admin("/dead-letters")).body.dead_letters.map((l: { body: string }) => JSON.parse(l.body));
    expect(letters).toContainEqual({ hello: "world" });
    expect(letters).toContainEqual({ entityId: "", fromRevision: 1, toRevision: 1 });
  });

  it("answers NOT_FOUND for an unknown dead letter", async () => {
    expect((await admin("/dead-letters/999999/replay", { method: "POST" })).status).toBe(404);
  });
});
