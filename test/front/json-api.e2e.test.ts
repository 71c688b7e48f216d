// The friendly JSON API through the front door, with the scriptable test handler behind it.
import { describe, expect, it } from "vitest";
import { command, freshId, state } from "../helpers.js";

describe("friendly JSON API", () => {
  it("creates an entity at revision 1 from a plain JSON command", async () => {
    const id = freshId();
    const res = await command(id, { command: { events: [{ kind: "opened" }] } });
    expect(res.status).toBe(200);
    expect(res.body.state).toEqual({ count: 1, last: { kind: "opened" }, revision: 1 });
    expect(res.body.meta.entity_id).toBe(id);
    expect(res.body.meta.revision_number).toBe(1);
  });

  it("answers GetState with what the last command returned", async () => {
    const id = freshId();
    const first = await command(id, { command: {} });
    const read = await state(id);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(first.body);
  });
});
