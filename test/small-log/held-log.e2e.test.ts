// The log's cursors held by a full store: once archiving makes room and releases them, every held event reaches the log.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RECONCILE_GRACE_MS, reconcile } from "../../src/readside/index.js";
import { RECONCILE_PROBE_ENTITIES } from "../../src/readside/reconciler.js";
import { call, command, freshId } from "../helpers.js";
import { eventually } from "../readside/helpers.js";
import { cursorOf, partitionsOf, readSidesOf } from "../support/pipeline.js";

/** Swaps partition 0's archive bucket (its port) for `bucket`; returns the one it replaced. */
async function swapBucket(bucket: unknown): Promise<unknown> {
  return runInDurableObject(partitionsOf().store(0), (instance) => {
    const o = instance as unknown as { ports: { archive: unknown } };
    const before = o.ports.archive;
    o.ports = { ...o.ports, archive: bucket };
    return before;
  });
}

async function revisionsInLog(entityId: string): Promise<number[]> {
  const all: { entity_id: string; revision: number }[] = [];
  for (let from = 1; ; ) {
    const body = (await (await call(`/api/v1/log?from=${from}&limit=1000`)).json()) as any;
    all.push(...body.entries);
    if (body.next_offset > body.head_offset) break;
    from = body.next_offset;
  }
  return all.filter((e) => e.entity_id === entityId).map((e) => e.revision);
}

describe("the log's cursors held by a full store", { timeout: 120_000 }, () => {
  it("brings a quiet entity's held event to the log once archiving releases it, without waiting for the index walk", async () => {
    // More indexed entities than one reconciler run probes, all sorting before the quiet one.
    const fillers = Array.from({ length: RECONCILE_PROBE_ENTITIES + 5 }, () => freshId("a-fill"));
    const quiet = freshId("z-quiet");
    for (const e of [...fillers, quiet]) expect((await command(e, { command: { events: [{ i: 1 }] } })).status).toBe(200);
    await eventually(async () => expect(await cursorOf("$log", quiet)).toMatchObject({ revision: 1, status: "ok" }));

    // The archive is unreachable: the store fills to its cap and the log holds.
    const real = await swapBucket({
      put: () => Promise.reject(new Error("R2 put failed: unavailable")),
      get: () => Promise.reject(new Error("R2 get failed: unavailable")),
      delete: () => Promise.reject(new Error("R2 delete failed: unavailable")),
    });
    try {
      const busy = freshId("a-busy");
      for (let i = 1; i <= 12; i++) expect((await command(busy, { command: { events: [{ i }] } })).status).toBe(200);
      await eventually(async () => expect(await cursorOf("$log", busy)).toMatchObject({ status: "retrying" }));
      // The quiet entity's second event arrives while the log holds: its cursor waits at 1.
      expect((await command(quiet, { command: { events: [{ i: 2 }] } })).status).toBe(200);
      await eventually(async () => expect(await cursorOf("$log", quiet)).toMatchObject({ revision: 1, status: "retrying" }));
    } finally {
      await swapBucket(real);
    }
    // Archiving works again (the partition's alarm or maintenance): it makes room and releases the held cursors.
    await partitionsOf().store(0).trimLog({ days: 0, events: 0 }, Date.now(), 10);
    expect(await cursorOf("$log", quiet)).toMatchObject({ revision: 1, status: "ok" });
    // The reconciler's walk of the index has just passed the quiet entity: its next run probes 25 that sort before it.
    await partitionsOf().store(0).advanceProbe(quiet, [], Date.now());
    // One reconciler run later, the event is in the log.
    await reconcile(readSidesOf(), Date.now() + 10 * RECONCILE_GRACE_MS);
    await eventually(async () => expect(await revisionsInLog(quiet)).toEqual([1, 2]), 20_000);
  });
});
