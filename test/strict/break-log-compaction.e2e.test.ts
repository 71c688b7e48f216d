// The event log against journal compaction: a `$log` cursor no operator can reach must never stop for good.
// Snapshot every 3, keep 2, logical deletion on; no other read side exists in this file.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LOG_READ_SIDE_ID } from "../../src/eventlog/index.js";
import { command, freshId } from "../helpers.js";
import { editReadSides, logEntries, setCursor } from "../support/pipeline.js";
import { eventually } from "../readside/helpers.js";
import { entityStub, firstRetained, range } from "./helpers.js";

async function logRevisionsOf(entityId: string): Promise<number[]> {
  return (await logEntries()).filter((e) => e.entityId === entityId).map((e) => e.revision);
}

async function compactedAt(entityId: string): Promise<number> {
  const page = await entityStub(entityId).readJournal({ entityId, fromRevision: 1, limit: 1 });
  if (!page.ok) throw new Error(page.error.message);
  return page.value.compactedAt;
}

describe("the event log and compaction", { timeout: 60_000 }, () => {
  it("an entity compacted in the second its log migration ran enters the log from its first retained event", async () => {
    const e = freshId("pre-log");
    // Before migration 0004 there is no `$log`: nothing holds compaction back.
    await editReadSides("UPDATE sh_read_side SET enabled = 0 WHERE id = ?", LOG_READ_SIDE_ID);
    let at = 0;
    try {
      for (let i = 1; i <= 12; i++) await command(e, { command: { events: [{ i }] } });
      await runDurableObjectAlarm(entityStub(e));
      expect(await firstRetained(e)).toBe(9);
      at = await compactedAt(e);
    } finally {
      // The migration, applied later in that same second, writes started_at = strftime('%s', 'now') * 1000.
      await editReadSides("UPDATE sh_read_side SET enabled = 1, started_at = ? WHERE id = ?", Math.floor(at / 1000) * 1000, LOG_READ_SIDE_ID);
    }
    await command(e, { command: { events: [{ i: 13 }] } });
    // 1..8 went before the log existed; what was retained and what came after is the log's.
    await eventually(async () => expect(await logRevisionsOf(e)).toEqual(range(9, 13)));
  });

  it("a `$log` cursor stopped by a pre-log consumer (migration applied before the deploy) neither loses the entity's events nor lets compaction take them", async () => {
    const e = freshId("old-stop");
    // What the previous version's consumer wrote for `$log` (a read side without a target, REPLAY_STOP, 0 retries).
    await setCursor(LOG_READ_SIDE_ID, e, { r: 0, s: "stopped", a: 1, f: 1, m: "unavailable: read side $log: no Service Binding named " });
    for (let i = 1; i <= 12; i++) await command(e, { command: { events: [{ i }] } });
    await runDurableObjectAlarm(entityStub(e));
    await eventually(async () => expect(await logRevisionsOf(e)).toEqual(range(1, 12)));
  });
});
