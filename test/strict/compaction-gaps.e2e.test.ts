// The gap rule at cursor 0 against compaction: restarts and read sides created mid-command are owed what was compacted after they began.
// Snapshot every 3, keep 2, logical deletion on. Each test deletes its read side at the end.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { command, freshId } from "../helpers.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "../readside/helpers.js";
import { cursorOf, entityStub, expectNoSilentGap, firstRetained, range } from "./helpers.js";


describe("the gap rule at cursor 0", { timeout: 60_000 }, () => {
  it("after a restart, a cursor at 0 that stopped on its first replayed event does not silently skip what was compacted while it was stopped", async () => {
    const side = freshReadSideId("rst0");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, policy: "STOP" });
    const e = freshId("rst0");
    try {
      for (let i = 1; i <= 3; i++) await command(e, { command: { events: [{ i }] } });
      await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
      const beforeRestart = okRevisions(await callsOf(side, e));
      // The operator restarts the read side (a new generation); the replay fails on revision 1 (STOP): cursor 0, stopped.
      await behave(side, { mode: "fail-revisions", failRevisions: [1] });
      const before = await cursorOf(side, e);
      expect((await admin(`/read-sides/${side}/restart`, { method: "POST" })).status).toBe(200);
      await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 0, status: "stopped", failedRevision: 1 }));
      expect((await cursorOf(side, e))?.generation).not.toBe(before?.generation);
      // Revisions 4..12 are committed AFTER the restart; a stopped cursor does not hold back compaction.
      for (let i = 4; i <= 12; i++) await command(e, { command: { events: [{ i }] } });
      await runDurableObjectAlarm(entityStub(e));
      expect(await firstRetained(e)).toBe(9);
      // The handler is fixed and the operator resumes.
      await behave(side, { mode: "ok" });
      expect((await admin(`/read-sides/${side}/resume`, { method: "POST" })).status).toBe(200);
      // 4..8 were never delivered to this read side at all, and 1 failed: the resume must stop explicitly.
      await expectNoSilentGap(side, e, 12, beforeRestart);
    } finally {
      await admin(`/read-sides/${side}`, { method: "DELETE" });
    }
  });

  it("a read side created (paused) while a command is in the write handler is owed that command's events: compacting them is no silent gap", async () => {
    const e = freshId("mid");
    const side = freshReadSideId("mid");
    await behave(side, { mode: "ok" });
    try {
      // One command, 12 events (one snapshot at 12: compaction may remove 1..11). Its revision_date
      // is taken before the handler is called; the handler takes 800 ms.
      const events = range(1, 12).map((i) => ({ i }));
      let created = false;
      let createdFirst = false;
      const cmd = command(e, { command: { op: "sleep", ms: 800, events } }).then((r) => {
        createdFirst = created;
        return r;
      });
      // Sequencing only (no assertion on time): let the command reach its handler, then create the read side.
      await new Promise((r) => setTimeout(r, 300));
      await createReadSide({ id: side, auto_start: false });
      created = true;
      const reply = await cmd;
      expect(reply.status).toBe(200);
      // The read side existed before the command committed (the create returned before the command did).
      expect(createdFirst).toBe(true);
      const row = await env.DB.prepare("SELECT created_at, started_at FROM sh_read_side WHERE id = ?").bind(side).first<{ created_at: number; started_at: number }>();
      const page = await entityStub(e).readJournal({ entityId: e, fromRevision: 12, limit: 1 });
      if (!page.ok) throw new Error(page.error.message);
      expect(page.value.headRevision).toBe(12);
      // The paused read side does not hold back compaction (the log, which does, has taken all 12 events).
      await eventually(async () => expect((await cursorOf("$log", e))?.revision).toBe(12));
      await runDurableObjectAlarm(entityStub(e));
      expect(await firstRetained(e)).toBe(12);
      expect(row?.started_at).toBeGreaterThan(0);
      expect((await admin(`/read-sides/${side}/resume`, { method: "POST" })).status).toBe(200);
      // Revisions 1..11 were committed after the read side was created: an explicit stop, or all of them.
      await expectNoSilentGap(side, e, 12);
    } finally {
      await admin(`/read-sides/${side}`, { method: "DELETE" });
    }
  });
});
