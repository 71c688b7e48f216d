// Log appends ride on the `$log` cursor's compare-and-set: a racing consumer can neither duplicate nor reorder.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import type { LogAppend } from "../../src/eventlog/index.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { freshId } from "../helpers.js";
import { commitLogRows, logEntries, logGeneration } from "../support/pipeline.js";

function rows(entityId: string, from: number, to: number): LogAppend["rows"] {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    entityId,
    revision: from + i,
    eventType: "test.v1.Thing",
    event: new Uint8Array([1, 2, 3]),
    meta: toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: from + i })),
    state: undefined,
  }));
}

/** The `$log` pair's commit: rows from..to after a cursor at (epoch, from - 1). */
function commitFor(entityId: string, generation: string, epoch: number, from: number, to: number) {
  return commitLogRows(entityId, generation, epoch, rows(entityId, from, to));
}

async function revisionsOf(entityId: string): Promise<number[]> {
  return (await logEntries()).filter((e) => e.entityId === entityId).map((e) => e.revision);
}

describe("log appends", () => {
  it("apply once when two consumers commit the same rows from the same cursor", async () => {
    const e = freshId("race");
    const g = await logGeneration();
    const [first, second] = await Promise.all([commitFor(e, g, 0, 1, 3), commitFor(e, g, 0, 1, 3)]);
    const winners = [first, second].filter((r) => r.applied.size === 1);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.appended.map((a) => a.revision)).toEqual([1, 2, 3]);
    expect([first, second].find((r) => r.applied.size === 0)?.appended).toEqual([]);
    expect(await revisionsOf(e)).toEqual([1, 2, 3]);
  });

  it("drop a stale consumer's rows once the cursor moved on, and continue at the next offset", async () => {
    const e = freshId("stale");
    const g = await logGeneration();
    const a = await commitFor(e, g, 0, 1, 2);
    const b = await commitFor(e, g, 0, 3, 4);
    const stale = await commitFor(e, g, 0, 1, 2);
    expect(stale.appended).toEqual([]);
    expect(await revisionsOf(e)).toEqual([1, 2, 3, 4]);
    const offsets = [...a.appended, ...b.appended].map((x) => x.offset);
    expect(offsets).toEqual([offsets[0], (offsets[0] as number) + 1, (offsets[0] as number) + 2, (offsets[0] as number) + 3]);
  });

  it("drop rows of another generation or epoch", async () => {
    const e = freshId("gen");
    const g = await logGeneration();
    expect((await commitFor(e, "not-the-generation", 0, 1, 1)).appended).toEqual([]);
    expect((await commitFor(e, g, 1, 1, 1)).appended).toEqual([]);
    expect(await revisionsOf(e)).toEqual([]);
  });
});
