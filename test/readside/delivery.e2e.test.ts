// Every committed event reaches every enabled read side, in order per entity, with state and meta.
import { describe, expect, it } from "vitest";
import { command, freshId } from "../helpers.js";
import { admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

const emit = (n: number, tag = "e") => ({ command: { events: Array.from({ length: n }, (_, i) => ({ tag, i })) } });

describe("read-side delivery", { timeout: 30_000 }, () => {
  it("delivers each event of many entities to several read sides, in revision order", async () => {
    const sides = [freshReadSideId(), freshReadSideId()];
    await behave(sides[0] as string, { mode: "ok" });
    await behave(sides[1] as string, { mode: "ok" });
    await createReadSide({ id: sides[0], protocol: "connect" });
    await createReadSide({ id: sides[1], protocol: "cos-http" });
    const entities = Array.from({ length: 5 }, () => freshId("acct"));
    for (const e of entities) {
      expect((await command(e, emit(2))).status).toBe(200);
      expect((await command(e, emit(1))).status).toBe(200);
    }
    for (const side of sides) {
      for (const e of entities) {
        const calls = await eventually(async () => {
          const c = await callsOf(side, e);
          expect(okRevisions(c)).toEqual([1, 2, 3]);
          return c;
        });
        assertOrdered(calls);
      }
    }
  });

  it("sends the event, the resulting state and the meta", async () => {
    const side = freshReadSideId();
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, protocol: "connect-json" });
    const e = freshId();
    await command(e, { command: { events: [{ kind: "opened" }] } });
    const [call] = await eventually(async () => {
      const c = await callsOf(side, e);
      expect(c).toHaveLength(1);
      return c;
    });
    expect(call?.event).toEqual({ kind: "opened" });
    expect(call?.state).toEqual({ count: 1, last: { kind: "opened" }, revision: 1 });
    expect(call?.readSideId).toBe(side);
    expect(call?.entityId).toBe(e);
  });

  it("lists the read side with its status and offsets", async () => {
    const side = freshReadSideId();
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId();
    await command(e, emit(3));
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
    await eventually(async () => {
      const cursors = await admin(`/read-sides/${side}/cursors?entity=${e}`);
      expect(cursors.body.cursors).toMatchObject([{ entity_id: e, revision: 3, head_revision: 3, lag: 0, status: "ok" }]);
    });
    const status = await admin(`/read-sides/${side}/status`);
    expect(status.body).toMatchObject({ id: side, state: "running", stopped: 0 });
    const list = await admin("/read-sides");
    expect(list.body.read_sides.map((r: { id: string }) => r.id)).toContain(side);
  });
});
