// Failure policies: STOP, SKIP, REPLAY_SKIP, REPLAY_STOP, and what counts as a failure.
import { describe, expect, it } from "vitest";
import { command, freshId } from "../helpers.js";
import { admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

const emit = (n: number) => ({ command: { events: Array.from({ length: n }, (_, i) => ({ i })) } });

describe("failure policies", { timeout: 30_000 }, () => {
  it("STOP halts one entity at the failing event and lets other entities go on", async () => {
    const side = freshReadSideId("stop");
    await behave(side, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: side, policy: "STOP" });
    const [bad, good] = [freshId(), freshId()];
    await command(bad, emit(3));
    await command(good, { command: { events: [{ a: 1 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, good))).toEqual([1]));
    const status = await eventually(async () => {
      const s = await admin(`/read-sides/${side}/status`);
      expect(s.body.state).toBe("stopped");
      return s.body;
    });
    const failing = status.failing.filter((f: { entity_id: string }) => f.entity_id === bad);
    expect(failing).toMatchObject([{ entity_id: bad, status: "stopped", revision: 1, failed_revision: 2 }]);
    expect(failing[0].last_error).toContain("failing revision 2");
    const calls = await callsOf(side, bad);
    expect(calls.map((c) => [c.revision, c.successful])).toEqual([[1, true], [2, false]]);
  });

  it("skip moves a stopped entity past its failing event, which stays parked and replayable", async () => {
    const side = freshReadSideId("skip");
    await behave(side, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: side, policy: "STOP" });
    const e = freshId();
    await command(e, emit(3));
    await eventually(async () => expect((await admin(`/read-sides/${side}/cursors?entity=${e}`)).body.cursors[0]?.status).toBe("stopped"));
    expect((await admin(`/read-sides/${side}/skip?entity=${encodeURIComponent(e)}`, { method: "POST" })).body).toEqual({ skipped: 1 });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 3]));
    const parked = await admin(`/read-sides/${side}/parked?entity=${e}`);
    expect(parked.body.parked).toMatchObject([{ entity_id: e, revision: 2 }]);
    const again = await admin(`/read-sides/${side}/skip?entity=${encodeURIComponent(e)}`, { method: "POST" });
    expect(again.status).toBe(412);

    await behave(side, { mode: "ok" });
    const replay = await admin(`/read-sides/${side}/parked/replay`, { method: "POST", body: JSON.stringify({ entity_id: e, revision: 2 }) });
    expect(replay.body).toEqual({ successful: true });
    expect(okRevisions(await callsOf(side, e))).toEqual([2]);
    expect((await admin(`/read-sides/${side}/parked?entity=${e}`)).body.parked).toEqual([]);
  });

  it("SKIP parks the failing event at once and delivers the next", async () => {
    const side = freshReadSideId("skp");
    await behave(side, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: side, policy: "SKIP" });
    const e = freshId();
    await command(e, emit(3));
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 3]));
    expect((await callsOf(side, e)).filter((c) => c.revision === 2)).toHaveLength(1);
    // The consumer commits cursors and parked rows to D1 after the handler saw revision 3.
    await eventually(async () => expect((await admin(`/read-sides/${side}/parked?entity=${e}`)).body.parked).toMatchObject([{ entity_id: e, revision: 2, attempts: 1 }]));
  });

  it("REPLAY_SKIP retries the configured number of times, then parks and moves on", async () => {
    const side = freshReadSideId("rskip");
    await behave(side, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: side, policy: "REPLAY_SKIP", retries: 2, backoff_ms: 0 });
    const e = freshId();
    await command(e, emit(3));
    const calls = await eventually(async () => {
      const c = await callsOf(side, e);
      expect(okRevisions(c)).toEqual([1, 3]);
      return c;
    });
    expect(calls.filter((c) => c.revision === 2).map((c) => c.successful)).toEqual([false, false, false]);
    await eventually(async () => expect((await admin(`/read-sides/${side}/parked?entity=${e}`)).body.parked).toMatchObject([{ entity_id: e, revision: 2, attempts: 3 }]));
  });

  it("REPLAY_STOP recovers when a retry succeeds, and stops when retries run out", async () => {
    const side = freshReadSideId("rstop");
    await behave(side, { mode: "fail-revisions", failRevisions: [2], failTimes: 1 });
    await createReadSide({ id: side, policy: "REPLAY_STOP", retries: 1, backoff_ms: 0 });
    const e = freshId();
    await command(e, emit(3));
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
    assertOrdered(await callsOf(side, e));

    const side2 = freshReadSideId("rstop");
    await behave(side2, { mode: "fail-revisions", failRevisions: [1] });
    await createReadSide({ id: side2, policy: "REPLAY_STOP", retries: 1, backoff_ms: 0 });
    const e2 = freshId();
    await command(e2, emit(2));
    await eventually(async () => expect((await admin(`/read-sides/${side2}/cursors?entity=${e2}`)).body.cursors[0]?.status).toBe("stopped"));
    expect((await callsOf(side2, e2)).map((c) => [c.revision, c.successful])).toEqual([[1, false], [1, false]]);
  });

  for (const mode of ["false", "empty", "garbage", "http-500"] as const) {
    it(`counts an answer of kind "${mode}" as a failure`, async () => {
      const side = freshReadSideId(mode);
      await behave(side, { mode });
      await createReadSide({ id: side, policy: "SKIP", protocol: mode === "empty" ? "connect-json" : "connect" });
      const e = freshId();
      await command(e, emit(1));
      await eventually(async () => expect((await admin(`/read-sides/${side}/parked?entity=${e}`)).body.parked).toMatchObject([{ entity_id: e, revision: 1 }]));
    });
  }

  it("counts a handler slower than the timeout as a failure", async () => {
    const side = freshReadSideId("slow");
    await behave(side, { mode: "slow", delayMs: 1500 });
    await createReadSide({ id: side, policy: "SKIP", timeout_ms: 200 });
    const e = freshId();
    await command(e, emit(1));
    const parked = await eventually(async () => {
      const p = (await admin(`/read-sides/${side}/parked?entity=${e}`)).body.parked;
      expect(p).toHaveLength(1);
      return p;
    });
    expect(parked[0].reason).toMatch(/deadline_exceeded/);
  });

  it("delivers everything in order through a handler that fails 30% of calls", async () => {
    const side = freshReadSideId("flaky");
    await behave(side, { mode: "flaky" });
    await createReadSide({ id: side, policy: "REPLAY_STOP", retries: 50, backoff_ms: 0 });
    const entities = [freshId(), freshId(), freshId()];
    for (const e of entities) {
      await command(e, emit(2));
      await command(e, emit(2));
    }
    for (const e of entities) {
      await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3, 4]));
      assertOrdered(await callsOf(side, e));
    }
    expect((await callsOf(side)).some((c) => !c.successful)).toBe(true);
  });
});
