// Compaction races that once broke the read side's promise (snapshot every 3, keep 2, logical deletion on).
// Each test ends by deleting its read side, so it never holds back compaction in the next one.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { command, freshId } from "../helpers.js";
import { admin, behave, createReadSide, eventually, freshReadSideId } from "../readside/helpers.js";
import { cursorOf, entityStub, expectNoSilentGap, firstRetained } from "./helpers.js";


describe("compaction races", { timeout: 60_000 }, () => {
  it("a read side stopped (STOP policy) on revision 1 and compacted past stops with an explicit error on resume", async () => {
    const side = freshReadSideId("stop0");
    await behave(side, { mode: "fail-revisions", failRevisions: [1] });
    await createReadSide({ id: side, policy: "STOP" });
    const e = freshId("stop0");
    try {
      await command(e, { command: { events: [{ i: 1 }] } });
      // The read side stops on revision 1: its cursor is at 0, stopped, failed_revision 1.
      await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 0, status: "stopped", failedRevision: 1 }));
      for (let i = 2; i <= 10; i++) await command(e, { command: { events: [{ i }] } });
      // Stopped cursors do not hold back compaction (by design: a gap must then be an explicit stop).
      await runDurableObjectAlarm(entityStub(e));
      expect(await firstRetained(e)).toBeGreaterThan(1);
      // The handler is fixed; the operator resumes, which retries the failing entity.
      await behave(side, { mode: "ok" });
      expect((await admin(`/read-sides/${side}/resume`, { method: "POST" })).status).toBe(200);
      await expectNoSilentGap(side, e, 10);
    } finally {
      await admin(`/read-sides/${side}`, { method: "DELETE" });
    }
  });

  it("a read side paused before an entity's first event and compacted past stops with an explicit error on resume", async () => {
    const side = freshReadSideId("pause0");
    await behave(side, { mode: "ok" });
    // auto_start false: the read side exists (and is enabled) but is paused.
    await createReadSide({ id: side, auto_start: false });
    const e = freshId("pause0");
    try {
      for (let i = 1; i <= 10; i++) await command(e, { command: { events: [{ i }] } });
      await runDurableObjectAlarm(entityStub(e));
      expect(await firstRetained(e)).toBeGreaterThan(1);
      expect((await admin(`/read-sides/${side}/resume`, { method: "POST" })).status).toBe(200);
      // Paused at revision 1 this same situation is an explicit stop (compaction-read-sides.e2e);
      // paused at revision 0 it must not be silent either.
      await expectNoSilentGap(side, e, 10);
    } finally {
      await admin(`/read-sides/${side}`, { method: "DELETE" });
    }
  });
});
