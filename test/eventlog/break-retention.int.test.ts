// Retention by age against consumers whose clocks disagree: it deletes only a prefix of a partition's log.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { servicesOf } from "../../src/services.js";
import { env } from "cloudflare:test";
import { freshId } from "../helpers.js";
import { commitLogRows, logGeneration, storeOf } from "../support/pipeline.js";

const DAY = 86_400_000;

/** What one consumer's commit of an entity's first event does, with that consumer's clock reading `now`. */
async function appendFirstEvent(entityId: string, generation: string, now: number) {
  const meta = toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: 1 }));
  const res = await commitLogRows(entityId, generation, 0, [{ revision: 1, eventType: "test.v1.Thing", event: new Uint8Array([1]), meta, state: undefined }], now);
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
    await storeOf("any").trimLog({ days: 1, events: 0 }, t + 5 + DAY, 20);

    const log = servicesOf(env).eventLog;
    const page = await log.read({ limit: 1000 });
    const offsets = page.entries.map((e) => e.entry.offset);
    const [head, first] = [page.head[0] as number, page.first[0] as number];
    const contiguous = Array.from({ length: head - first + 1 }, (_, i) => first + i);
    expect(offsets).toEqual(contiguous);
    // A consumer that handled `a` asks for the next offset: it gets b, or learns b is gone; never c silently.
    const next = await log.read({ from: String(a + 1), limit: 1 }).then(
      (p) => p.entries[0]?.entry.offset,
      (err: { code?: string }) => err.code,
    );
    expect([b, "out_of_range"]).toContain(next);
  });
});
