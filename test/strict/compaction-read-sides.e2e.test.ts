// Compaction (snapshot every 3, keep 2, logical deletion on) waits for running read sides, and a gap is an error.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { command, freshId } from "../helpers.js";
import { admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "../readside/helpers.js";
import { entityStub, firstRetained } from "./helpers.js";


describe("compaction and read sides", { timeout: 60_000 }, () => {
  it("never deletes what a retrying read side has not handled: every revision arrives, in order", async () => {
    const side = freshReadSideId("cmp");
    await behave(side, { mode: "fail-revisions", failRevisions: [3], failTimes: 1 });
    await createReadSide({ id: side, policy: "REPLAY_STOP", retries: 5, backoff_ms: 1500 });
    const e = freshId("cmp");
    for (let i = 1; i <= 3; i++) await command(e, { command: { events: [{ i }] } });
    await eventually(async () => expect((await callsOf(side, e)).some((c) => c.revision === 3 && !c.successful)).toBe(true));
    for (let i = 4; i <= 13; i++) await command(e, { command: { events: [{ i }] } });
    await runDurableObjectAlarm(entityStub(e));
    // The read side is at 2 and retrying: nothing from 3 on may go.
    expect(await firstRetained(e)).toBeLessThanOrEqual(3);
    const calls = await eventually(async () => {
      const c = await callsOf(side, e);
      expect(okRevisions(c)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
      return c;
    });
    assertOrdered(calls);
    // Once it has caught up, compaction goes ahead.
    await command(e, { command: { events: [{ i: 14 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, e)).at(-1)).toBe(14));
    await runDurableObjectAlarm(entityStub(e));
    expect(await firstRetained(e)).toBeGreaterThan(3);
  });

  it("stops a read side that was paused past the retained window, with an explicit error", async () => {
    const side = freshReadSideId("gap");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId("gap");
    await command(e, { command: { events: [{ i: 1 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));
    expect((await admin(`/read-sides/${side}/pause`, { method: "POST" })).status).toBe(200);
    for (let i = 2; i <= 10; i++) await command(e, { command: { events: [{ i }] } });
    await runDurableObjectAlarm(entityStub(e));
    expect(await firstRetained(e)).toBeGreaterThan(2);
    expect((await admin(`/read-sides/${side}/resume`, { method: "POST" })).status).toBe(200);
    const status = await eventually(async () => {
      const s = (await admin(`/read-sides/${side}/status`)).body;
      expect(s.state).toBe("stopped");
      return s;
    });
    expect(status.failing[0].last_error).toContain("events compacted before delivery");
    expect(okRevisions(await callsOf(side, e))).toEqual([1]);
    // An operator's skip moves past the gap; delivery continues from the first retained event.
    expect((await admin(`/read-sides/${side}/skip`, { method: "POST", body: JSON.stringify({ entity_id: e }) })).status).toBe(200);
    const first = await firstRetained(e);
    await eventually(async () => expect(okRevisions(await callsOf(side, e)).at(-1)).toBe(10));
    expect(okRevisions(await callsOf(side, e))[1]).toBe(first);
  });
});
