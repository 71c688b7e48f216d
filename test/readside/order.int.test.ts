// Order comes from the journal and the cursor: out-of-order, duplicate and racing queue messages.
import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { command, freshId, structAny } from "../helpers.js";
import { consume, cursorOf, editReadSides, indexHead, setCursor } from "../support/pipeline.js";
import { assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

/** An entity with `n` events committed before the read side exists, and a read side that is paused
 * at creation (so nothing reaches it until the test hands the consumer its own messages). */
async function setup(n: number, behaviour: Parameters<typeof behave>[1] = { mode: "ok" }) {
  const e = freshId("ord");
  await command(e, { command: { events: Array.from({ length: n }, (_, i) => ({ i })) } });
  // The Worker's own consumer has taken the commit's message before the read side exists.
  await eventually(async () => expect(await indexHead(e)).toBe(n));
  const side = freshReadSideId("ord");
  await behave(side, behaviour);
  await createReadSide({ id: side, auto_start: false });
  await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
  return { e, side };
}

describe("ordering", { timeout: 30_000 }, () => {
  it("a message for revision 7 when the cursor is at 0 delivers 1 to 7 in order", async () => {
    const { e, side } = await setup(7);
    const result = await consume([{ entityId: e, fromRevision: 7, toRevision: 7, readSideIds: [side] }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("out-of-order and duplicate messages deliver each revision once, in order", async () => {
    const { e, side } = await setup(6);
    const m = (from: number, to: number) => ({ entityId: e, fromRevision: from, toRevision: to, readSideIds: [side] });
    await consume([m(5, 6), m(2, 2), m(5, 6), m(1, 1)]);
    await consume([m(3, 4), m(1, 1), m(6, 6)]);
    const calls = await callsOf(side, e);
    expect(calls.map((c) => c.revision)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("delivers the rows a message carries without reading them from the entity", async () => {
    const side = freshReadSideId("carry");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, auto_start: false });
    await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
    // An entity with no journal at all: only the carried rows can reach the handler.
    const e = freshId("carry");
    const rows = [1, 2].map((revision) => ({
      revision,
      event: toBinary(AnySchema, structAny({ carried: revision })),
      state: toBinary(AnySchema, structAny({ total: revision })),
      meta: toBinary(MetaDataSchema, create(MetaDataSchema, { entityId: e, revisionNumber: revision })),
    }));
    await consume([{ entityId: e, fromRevision: 1, toRevision: 2, readSideIds: [side], events: rows }]);
    const calls = await callsOf(side, e);
    expect(calls.map((c) => [c.revision, c.event])).toEqual([
      [1, { carried: 1 }],
      [2, { carried: 2 }],
    ]);
  });

  it("a duplicate for an already delivered revision is acked without a call", async () => {
    const { e, side } = await setup(2);
    await consume([{ entityId: e, fromRevision: 1, toRevision: 2, readSideIds: [side] }]);
    const result = await consume([{ entityId: e, fromRevision: 2, toRevision: 2, readSideIds: [side] }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await callsOf(side, e)).toHaveLength(2);
  });

  it("consumers racing on one entity never deliver an event before its predecessor succeeded", async () => {
    const { e, side } = await setup(8, { mode: "slow", delayMs: 20 });
    const m = (to: number) => ({ entityId: e, fromRevision: to, toRevision: to, readSideIds: [side] });
    await Promise.all([consume([m(8)]), consume([m(4)]), consume([m(6), m(8)])]);
    const calls = await eventually(async () => {
      const c = await callsOf(side, e);
      expect(okRevisions(c).at(-1)).toBe(8);
      return c;
    });
    // One isolate: the batches that find the pair in delivery leave it to that batch's follow-up.
    assertOrdered(calls);
    expect(calls.map((c) => c.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const cursor = await cursorOf(side, e);
    expect(cursor).toMatchObject({ revision: 8, status: "ok" });
  });

  it("a consumer that died after delivering, before committing, is followed by one that resumes in order", async () => {
    const { e, side } = await setup(3);
    // The dead consumer's calls reached the handler; its cursor write never happened.
    await consume([{ entityId: e, fromRevision: 1, toRevision: 2, readSideIds: [side] }]);
    await setCursor(side, e, { r: 0 });
    const result = await consume([{ entityId: e, fromRevision: 1, toRevision: 3, readSideIds: [side] }]);
    expect(result.explicitAcks).toHaveLength(1);
    const calls = await callsOf(side, e);
    assertOrdered(calls);
    expect(okRevisions(calls)).toEqual([1, 2, 3, 1, 2, 3]);
  });
});
