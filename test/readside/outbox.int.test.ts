// A committed event is never lost between the entity and the Queue: the alarm re-sends what failed.
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { EntityPorts } from "../../src/entity/index.js";
import type { EntityObject } from "../../src/index.js";
import { command, freshId } from "../helpers.js";
import { behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

/**
 * Makes this entity's Queue sends fail, as when the Queue is unavailable: the port through which
 * the object hands committed revisions to its partition's queue is swapped for one whose send
 * rejects (the only fault injected; commit, alarm and the real Queue are untouched).
 */
async function breakQueue(entityId: string): Promise<DurableObjectStub<EntityObject>> {
  const stub = env.ENTITY.get(env.ENTITY.idFromName(entityId));
  await runInDurableObject(stub, (instance: EntityObject) => {
    const o = instance as unknown as { broken: true; ports: EntityPorts };
    o.broken = true;
    o.ports = { ...o.ports, publish: () => Promise.reject(new Error("Queue send failed: unavailable")) };
  });
  return stub;
}

function freshStub(entityId: string): DurableObjectStub<EntityObject> {
  return env.ENTITY.get(env.ENTITY.idFromName(entityId));
}

/** Evicts every object, and checks that the entity now runs in a new instance (with the real binding). */
async function evict(entityId: string): Promise<void> {
  await abortAllDurableObjects();
  const broken = await runInDurableObject(freshStub(entityId), (instance: EntityObject) => (instance as unknown as { broken?: true }).broken === true);
  expect(broken).toBe(false);
}

describe("outbox recovery", { timeout: 30_000 }, () => {
  it("delivers events whose Queue send failed once the alarm re-sends them", async () => {
    const side = freshReadSideId("outbox");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId("ob");
    await command(e, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));

    await breakQueue(e);
    expect((await command(e, { command: { events: [{ n: 2 }, { n: 3 }] } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(okRevisions(await callsOf(side, e))).toEqual([1]);

    // The object is evicted (its broken binding with it); the alarm the commit armed re-publishes.
    await evict(e);
    expect(await runDurableObjectAlarm(freshStub(e))).toBe(true);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
  });

  it("keeps retrying from the alarm while the Queue still fails", async () => {
    const side = freshReadSideId("outbox");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId("ob");
    const stub = await breakQueue(e);
    expect((await command(e, { command: { events: [{ n: 1 }] } })).status).toBe(200);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await callsOf(side, e)).toEqual([]);
    await evict(e);
    expect(await runDurableObjectAlarm(freshStub(e))).toBe(true);
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));
  });
});
