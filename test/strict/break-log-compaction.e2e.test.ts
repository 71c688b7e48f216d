// The event log against journal compaction: a `$log` cursor no operator can reach must never stop for good.
// Snapshot every 3, keep 2, logical deletion on; no other read side exists in this file.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LOG_READ_SIDE_ID, createLogStore } from "../../src/eventlog/index.js";
import { command, freshId } from "../helpers.js";
import { eventually } from "../readside/helpers.js";
import { entityStub, firstRetained, range } from "./helpers.js";

async function logRevisionsOf(entityId: string): Promise<number[]> {
  const page = await createLogStore(env.DB).read({ from: 1, limit: 1000, maxBytes: 1 << 24 });
  return page.entries.filter((e) => e.entityId === entityId).map((e) => e.revision);
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
    await env.DB.prepare("UPDATE sh_read_side SET enabled = 0 WHERE id = ?").bind(LOG_READ_SIDE_ID).run();
    let at = 0;
    try {
      for (let i = 1; i <= 12; i++) await command(e, { command: { events: [{ i }] } });
      await runDurableObjectAlarm(entityStub(e));
      expect(await firstRetained(e)).toBe(9);
      at = await compactedAt(e);
    } finally {
      // The migration, applied later in that same second, writes started_at = strftime('%s', 'now') * 1000.
      await env.DB.prepare("UPDATE sh_read_side SET enabled = 1, started_at = ? WHERE id = ?").bind(Math.floor(at / 1000) * 1000, LOG_READ_SIDE_ID).run();
    }
    await command(e, { command: { events: [{ i: 13 }] } });
    // 1..8 went before the log existed; what was retained and what came after is the log's.
    await eventually(async () => expect(await logRevisionsOf(e)).toEqual(range(9, 13)));
  });

  it("a `$log` cursor stopped by a pre-log consumer (migration applied before the deploy) neither loses the entity's events nor lets compaction take them", async () => {
    const e = freshId("old-stop");
    const g = await env.DB.prepare("SELECT generation FROM sh_read_side WHERE id = ?").bind(LOG_READ_SIDE_ID).first<{ generation: string }>();
    // What the previous version's consumer writes for `$log` (a read side without a target, REPLAY_STOP, 0 retries).
    await env.DB.prepare(
      `INSERT INTO sh_cursor (read_side_id, entity_id, shard, generation, epoch, revision, status, attempts, failed_revision, last_error, retry_at, restarted_at, updated_at)
       VALUES (?, ?, 0, ?, 0, 0, 'stopped', 1, 1, 'unavailable: read side $log: no Service Binding named ', 0, 0, ?)`,
    )
      .bind(LOG_READ_SIDE_ID, e, g?.generation, Date.now())
      .run();
    for (let i = 1; i <= 12; i++) await command(e, { command: { events: [{ i }] } });
    await runDurableObjectAlarm(entityStub(e));
    await eventually(async () => expect(await logRevisionsOf(e)).toEqual(range(1, 12)));
  });
});
