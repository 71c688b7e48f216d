// Retention by age against a log whose appended_at is not monotone in offset (two consumers' clocks).
import { env } from "cloudflare:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type CursorUpdate, createCursorStore, freshCursor } from "../../src/cursors/index.js";
import { LOG_READ_SIDE_ID, type LogAppend, createLogStore, readLog } from "../../src/eventlog/index.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { freshId } from "../helpers.js";

const DAY = 86_400_000;

async function logGeneration(): Promise<string> {
  const row = await env.DB.prepare("SELECT generation FROM sh_read_side WHERE id = ?").bind(LOG_READ_SIDE_ID).first<{ generation: string }>();
  return row?.generation ?? "";
}

/** What one consumer's commit of an entity's first event does, with that consumer's clock reading `now`. */
async function appendFirstEvent(entityId: string, generation: string, now: number) {
  const update: CursorUpdate = {
    key: { readSideId: LOG_READ_SIDE_ID, entityId, shard: 0 },
    from: freshCursor(generation),
    revision: 1,
    status: "ok",
    attempts: 0,
    failedRevision: 0,
    lastError: null,
    retryAt: 0,
  };
  const meta = toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: 1 }));
  const append: LogAppend = {
    entityId,
    generation,
    epoch: 0,
    fromRevision: 0,
    rows: [{ entityId, revision: 1, eventType: "test.v1.Thing", event: new Uint8Array([1]), meta, state: undefined }],
  };
  const res = await createCursorStore(env.DB).commit([update], [], [], now, [append]);
  return res.appended[0]?.offset as number;
}

describe("log retention by age", () => {
  it("deletes only a prefix of the log, so a reader never meets a hole between the first and the head offset", async () => {
    const g = await logGeneration();
    const t = Date.now() - 3 * DAY;
    // Consumer B read its clock (t) before consumer A (t + 10), but A's commit landed first.
    const a = await appendFirstEvent(freshId("ret-a"), g, t + 10);
    const b = await appendFirstEvent(freshId("ret-b"), g, t);
    const c = await appendFirstEvent(freshId("ret-c"), g, t + 20);
    expect([b, c]).toEqual([a + 1, a + 2]);

    // Retention of one day, run when only the rows appended before t + 5 are past it.
    await createLogStore(env.DB).trim({ days: 1, events: 0 }, t + 5 + DAY, 20);

    const page = await readLog(createLogStore(env.DB), { limit: 1000 });
    const offsets = page.entries.map((e) => e.offset);
    const contiguous = Array.from({ length: page.headOffset - page.firstOffset + 1 }, (_, i) => page.firstOffset + i);
    expect(offsets).toEqual(contiguous);
    // A consumer that handled `a` asks for the next offset: it gets b, or learns b is gone; never c silently.
    const next = await readLog(createLogStore(env.DB), { from: a + 1, limit: 1 }).then(
      (p) => p.entries[0]?.offset,
      (err: { code?: string }) => err.code,
    );
    expect([b, "out_of_range"]).toContain(next);
  });
});
