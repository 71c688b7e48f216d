// COS_WRITE_SIDE_PROTO_VALIDATION on: only listed event and state types are persisted.
import { describe, expect, it } from "vitest";
import { command, freshId, state } from "../helpers.js";

describe("type validation", () => {
  it("persists events and states of listed types", async () => {
    const res = await command(freshId(), { command: { events: [{ ok: true }] } });
    expect(res.status).toBe(200);
  });

  it("rejects an event type that is not listed, persisting nothing", async () => {
    const id = freshId();
    const res = await command(id, { command: { events: [{ ok: 1 }, { _type: "evil.v1.Event" }] } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "invalid_argument", message: "invalid event: type.googleapis.com/evil.v1.Event" });
    expect((await state(id)).status).toBe(404);
  });

  it("rejects a state type that is not listed, persisting nothing", async () => {
    const id = freshId();
    await command(id, { command: {} });
    const before = (await state(id)).body;
    const res = await command(id, { command: { events: [{ _state_type: "evil.v1.State" }] } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "invalid_argument", message: "invalid state: type.googleapis.com/evil.v1.State" });
    expect((await state(id)).body).toEqual(before);
  });
});

describe("authentication switched off", () => {
  it("serves requests without a token", async () => {
    const res = await command(freshId(), { command: {} });
    expect(res.status).toBe(200);
  });
});
