// Bad input at the front door: each gets a clear error with the right code, and nothing stored changes.
import { describe, expect, it } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { call, command, connectClient, connectError, freshId, state, structAny } from "../helpers.js";

/** Creates an entity at revision 1 and returns its id and GetState body. */
async function existing() {
  const id = freshId("bad");
  await command(id, { command: { events: [{ keep: true }] } });
  return { id, before: (await state(id)).body };
}

describe("entity ids", () => {
  it("rejects an empty id with CoS's message", async () => {
    const client = connectClient(ChiefOfStateService);
    const err = await connectError(() => client.processCommand({ entityId: "", command: structAny({}) }));
    expect(err.code).toBe(3);
    expect(err.rawMessage).toBe("empty entity ID");
  });

  it("rejects an id longer than 256 bytes", async () => {
    const res = await command("x".repeat(257), { command: {} });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "invalid_argument", message: "entity ID is 257 bytes long; the limit is 256" });
  });

  it("counts the limit in UTF-8 bytes, not characters", async () => {
    const res = await command("é".repeat(129), { command: {} });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("258 bytes");
  });

  it("rejects control characters", async () => {
    const res = await command("a\u0001b", { command: {} });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("entity ID contains a control character");
  });

  it("rejects leading or trailing white space", async () => {
    const res = await command(" padded", { command: {} });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("entity ID has leading or trailing white space");
  });

  it("accepts unicode and a percent-encoded slash, and keeps them distinct", async () => {
    const slashed = `acct/${freshId()}`;
    const unicode = `компания-ü-${freshId()}`;
    expect((await command(slashed, { command: {} })).body.meta.entity_id).toBe(slashed);
    expect((await command(unicode, { command: {} })).body.meta.entity_id).toBe(unicode);
    expect((await state(slashed)).body.meta.entity_id).toBe(slashed);
    expect((await call(`/v1/entities/${encodeURIComponent(slashed)}/state`)).status).toBe(200);
  });
});

describe("request bodies", () => {
  it("rejects malformed JSON", async () => {
    const { id, before } = await existing();
    const res = await call(`/api/v1/entities/${id}/commands`, { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).message).toMatch(/^malformed JSON/);
    expect((await state(id)).body).toEqual(before);
  });

  it("rejects a missing command", async () => {
    const { id, before } = await existing();
    const res = await command(id, { nothing: 1 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "invalid_argument", message: "missing command" });
    expect((await state(id)).body).toEqual(before);
  });

  it("rejects a command that is not a JSON object", async () => {
    const res = await command(freshId(), { command: [1, 2] });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("command must be a JSON object");
  });

  it("rejects a body over 1 MiB with 413", async () => {
    const { id, before } = await existing();
    const res = await command(id, { command: { pad: "x".repeat(1024 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("resource_exhausted");
    expect((await state(id)).body).toEqual(before);
  });

  it("rejects an oversized Connect request with resource_exhausted", async () => {
    const client = connectClient(ChiefOfStateService);
    const err = await connectError(() =>
      client.processCommand({ entityId: freshId(), command: structAny({ pad: "x".repeat(1024 * 1024) }) }),
    );
    expect(err.code).toBe(8);
  });

  it("rejects a Connect command that is missing", async () => {
    const client = connectClient(ChiefOfStateService);
    const err = await connectError(() => client.processCommand({ entityId: freshId() }));
    expect(err.code).toBe(3);
    expect(err.rawMessage).toBe("missing command");
  });

  it("rejects a bad expected revision and idempotency key", async () => {
    expect((await command(freshId(), { command: {}, expected_revision: -1 })).status).toBe(400);
    expect((await command(freshId(), { command: {}, idempotency_key: "k".repeat(300) })).status).toBe(400);
  });

  it("answers an unknown route with 404 not_found", async () => {
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).code).toBe("not_found");
  });

  it("answers an unknown Connect method with unimplemented", async () => {
    const res = await call("/chief_of_state.v1.ChiefOfStateService/Nope", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(501);
  });
});
