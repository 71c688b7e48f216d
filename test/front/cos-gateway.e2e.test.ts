// CoS's HTTP gateway: base64 Any in and out, snake_case meta, honest statuses.
import { describe, expect, it } from "vitest";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { call, freshId, structAny, structOf } from "../helpers.js";

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function process(id: string, body: unknown) {
  const res = await call(`/v1/commands/${encodeURIComponent(id)}/process`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe("CoS HTTP gateway", () => {
  it("processes a base64 Any command and answers base64 state with snake_case meta", async () => {
    const id = freshId("gw");
    const res = await process(id, { command: b64(toBinary(AnySchema, structAny({ events: [{ via: "gateway" }] }))) });
    expect(res.status).toBe(200);
    expect(structOf(fromBinary(AnySchema, fromB64(res.body.state)))).toEqual({ count: 1, last: { via: "gateway" }, revision: 1 });
    expect(res.body.meta).toMatchObject({
      entity_id: id,
      revision_number: 1,
      headers: [{ key: "traceparent", string_value: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) }],
      data: {},
    });
    expect(res.body.meta.revision_date).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("lets the path id win over the body's entity_id", async () => {
    const id = freshId("gw");
    const res = await process(id, { entity_id: "other", command: b64(toBinary(AnySchema, structAny({}))) });
    expect(res.body.meta.entity_id).toBe(id);
  });

  it("serves GET /v1/entities/{id}/state byte-identical to the command's answer", async () => {
    const id = freshId("gw");
    const done = await process(id, { command: b64(toBinary(AnySchema, structAny({}))) });
    const res = await call(`/v1/entities/${id}/state`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(done.body);
  });

  it("answers 404 for an entity with no events", async () => {
    const res = await call(`/v1/entities/${freshId()}/state`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: "not_found", message: expect.stringContaining("not found") });
  });

  it("rejects bad base64 with 400", async () => {
    const res = await process(freshId(), { command: "%%%not-base64" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "invalid_argument", message: "command is not valid base64" });
  });

  it("rejects bytes that are not a serialized Any", async () => {
    const res = await process(freshId(), { command: b64(new Uint8Array([0xff, 0xff, 0xff])) });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("command is not a serialized google.protobuf.Any");
  });

  it("rejects a missing command", async () => {
    const res = await process(freshId(), {});
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("missing command");
  });
});
