// Deleting a parked event (DELETE /admin/v1/read-sides/{id}/parked): it leaves the parked list, is never delivered, and bad input is named.
import { describe, expect, it } from "vitest";
import { command, freshId } from "../helpers.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

describe("deleting a parked event", { timeout: 30_000 }, () => {
  it("removes it from the parked list without delivering it", async () => {
    const side = freshReadSideId("pdel");
    await behave(side, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: side, policy: "SKIP" });
    const e = freshId();
    await command(e, { command: { events: [{ i: 1 }, { i: 2 }, { i: 3 }] } });
    await eventually(async () => expect((await admin(`/read-sides/${side}/parked?entity=${e}`)).body.parked).toMatchObject([{ entity_id: e, revision: 2 }]));

    const res = await admin(`/read-sides/${side}/parked?entity=${encodeURIComponent(e)}&revision=2`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ deleted: { entity_id: e, revision: 2 } });
    expect((await admin(`/read-sides/${side}/parked?entity=${e}`)).body.parked).toEqual([]);
    expect(okRevisions(await callsOf(side, e))).toEqual([1, 3]);

    const again = await admin(`/read-sides/${side}/parked?entity=${encodeURIComponent(e)}&revision=2`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe("not_found");
  });

  it("refuses a request that does not name the event", async () => {
    const side = freshReadSideId("pdel");
    await createReadSide({ id: side, policy: "SKIP" });
    const missing = await admin(`/read-sides/${side}/parked?entity=x`, { method: "DELETE" });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe("invalid_argument");
    const bad = await admin(`/read-sides/${side}/parked?entity=x&revision=two`, { method: "DELETE" });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("revision must be a whole number");
  });

  it("answers not_found for an unknown read side", async () => {
    const res = await admin(`/read-sides/no-such-side/parked?entity=x&revision=1`, { method: "DELETE" });
    expect(res.status).toBe(404);
  });
});
