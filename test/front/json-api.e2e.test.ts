// The friendly JSON API through the front door, with the scriptable test handler behind it.
import { describe, expect, it, vi } from "vitest";
import { call, command, freshId, state } from "../helpers.js";

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

describe("finding entities by id prefix", () => {
  it("lists the entities whose id starts with a prefix, in id order, paged with next_after, once the pipeline has indexed them", async () => {
    const prefix = `${freshId("find")}/`;
    const ids = ["c", "a", "b"].map((s) => `${prefix}${s}`);
    for (const id of ids) await command(id, { command: { events: [{ n: 1 }] } });
    await command(ids[1] as string, { command: { events: [{ n: 2 }] } });
    await command(`${prefix.slice(0, -1)}x`, { command: { events: [{ n: 1 }] } }); // shares all but the last character
    const find = async (query: string) => (await call(`/api/v1/entities?${query}`)).json() as Promise<any>;
    await vi.waitFor(async () => expect((await find(`prefix=${encodeURIComponent(prefix)}`)).entities).toHaveLength(3), { timeout: 15_000, interval: 100 });
    await vi.waitFor(async () =>
      expect(await find(`prefix=${encodeURIComponent(prefix)}`)).toEqual({
        entities: [
          { entity_id: `${prefix}a`, head_revision: 2 },
          { entity_id: `${prefix}b`, head_revision: 1 },
          { entity_id: `${prefix}c`, head_revision: 1 },
        ],
        next_after: "",
      }),
    );
    const first = await find(`prefix=${encodeURIComponent(prefix)}&limit=2`);
    expect(first.entities.map((e: any) => e.entity_id)).toEqual([`${prefix}a`, `${prefix}b`]);
    expect(first.next_after).toBe(`${prefix}b`);
    const rest = await find(`prefix=${encodeURIComponent(prefix)}&limit=2&after=${encodeURIComponent(first.next_after)}`);
    expect(rest).toEqual({ entities: [{ entity_id: `${prefix}c`, head_revision: 1 }], next_after: "" });
  });

  it("refuses a limit out of range with invalid_argument", async () => {
    for (const limit of ["0", "1001", "x"]) {
      const res = await call(`/api/v1/entities?prefix=a&limit=${limit}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).code).toBe("invalid_argument");
    }
  });
});
