// Statehouse's additions: expected revision, idempotency keys, and header propagation and persistence.
import { describe, expect, it } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { EntityService } from "../../src/gen/statehouse/v1/entity_pb.js";
import { command, connectClient, connectError, freshId, state, structAny, structOf } from "../helpers.js";

describe("expected revision", () => {
  it("runs the command when the entity is at the expected revision", async () => {
    const id = freshId();
    await command(id, { command: {} });
    const res = await command(id, { command: {}, expected_revision: 1 });
    expect(res.status).toBe(200);
    expect(res.body.meta.revision_number).toBe(2);
  });

  it("answers a stale revision with 409 aborted and calls no handler", async () => {
    const id = freshId();
    await command(id, { command: {} });
    await command(id, { command: {} });
    const before = (await state(id)).body;
    // The handler would fail loudly if it were called.
    const res = await command(id, { command: { op: "fail", code: "internal", message: "handler was called" }, expected_revision: 1 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ code: "aborted", message: `expected revision 1 but entity ${id} is at revision 2` });
    expect((await state(id)).body).toEqual(before);
  });

  it("treats expected revision 0 as 'the entity must be new'", async () => {
    const id = freshId();
    expect((await command(id, { command: {}, expected_revision: 0 })).status).toBe(200);
    expect((await command(id, { command: {}, expected_revision: 0 })).status).toBe(409);
  });

  it("is read from the statehouse-expected-revision header on ChiefOfStateService", async () => {
    const id = freshId();
    await command(id, { command: {} });
    const client = connectClient(ChiefOfStateService, { headers: { "statehouse-expected-revision": "5" } });
    const err = await connectError(() => client.processCommand({ entityId: id, command: structAny({}) }));
    expect(err.code).toBe(10);
  });

  it("is a field of statehouse.v1.EntityService/ProcessCommand", async () => {
    const id = freshId();
    const client = connectClient(EntityService);
    const ok = await client.processCommand({ entityId: id, command: structAny({}), expectedRevision: 0 });
    expect(ok.meta?.revisionNumber).toBe(1);
    const err = await connectError(() => client.processCommand({ entityId: id, command: structAny({}), expectedRevision: 0 }));
    expect(err.code).toBe(10);
  });
});

describe("idempotency keys", () => {
  it("return the first result without running the command again", async () => {
    const id = freshId();
    const first = await command(id, { command: {}, idempotency_key: "pay-1" });
    const retry = await command(id, { command: {}, idempotency_key: "pay-1" });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect((await state(id)).body.meta.revision_number).toBe(1);
  });

  it("return the first result even after later commands moved the entity on", async () => {
    const id = freshId();
    const first = await command(id, { command: { events: [{ n: "first" }] } }, { "idempotency-key": "k-1" });
    await command(id, { command: {} });
    const retry = await command(id, { command: { events: [{ n: "first" }] } }, { "idempotency-key": "k-1" });
    expect(retry.body).toEqual(first.body);
    expect((await state(id)).body.meta.revision_number).toBe(2);
  });

  it("are not fooled by a stale expected revision on the retry", async () => {
    const id = freshId();
    const first = await command(id, { command: {}, expected_revision: 0, idempotency_key: "once" });
    const retry = await command(id, { command: {}, expected_revision: 0, idempotency_key: "once" });
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
  });

  it("reject the same key with a different command", async () => {
    const id = freshId();
    await command(id, { command: { events: [{ a: 1 }] }, idempotency_key: "dup" });
    const res = await command(id, { command: { events: [{ a: 2 }] }, idempotency_key: "dup" });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('idempotency key "dup" was already used for a different command');
    expect((await state(id)).body.meta.revision_number).toBe(1);
  });

  it("remember a no-event command too", async () => {
    const id = freshId();
    await command(id, { command: {} });
    const first = await command(id, { command: { op: "noop" }, idempotency_key: "nothing" });
    await command(id, { command: {} });
    const retry = await command(id, { command: { op: "noop" }, idempotency_key: "nothing" });
    expect(retry.body).toEqual(first.body);
    expect(retry.body.meta.revision_number).toBe(1);
  });

  it("are independent between entities", async () => {
    const a = await command(freshId(), { command: {}, idempotency_key: "shared" });
    const b = await command(freshId(), { command: {}, idempotency_key: "shared" });
    expect(a.body.meta.entity_id).not.toBe(b.body.meta.entity_id);
    expect(b.body.meta.revision_number).toBe(1);
  });
});

describe("headers", () => {
  it("propagates only allow-listed headers to the write handler", async () => {
    const res = await command(freshId(), { command: { op: "echo_headers" } }, { "x-tenant": "acme", "x-secret": "no" });
    expect(res.body.state.last.headers).toEqual({ "x-tenant": "acme" });
  });

  it("persists allow-listed headers in meta, -bin headers as bytes", async () => {
    const id = freshId();
    const trace = btoa("\u0001\u0002\u0003");
    const res = await command(id, { command: {} }, { "x-tenant": "acme", "x-trace-bin": trace, "x-other": "dropped" });
    expect(res.body.meta.headers).toEqual([
      { key: "x-tenant", string_value: "acme" },
      { key: "x-trace-bin", bytes_value: trace },
      // Statehouse's own: the command's span (README "Tracing").
      { key: "traceparent", string_value: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) },
    ]);
    expect((await state(id)).body.meta.headers).toEqual(res.body.meta.headers);
  });

  it("are seen by Connect clients in MetaData.headers", async () => {
    const id = freshId();
    const client = connectClient(ChiefOfStateService, { headers: { "x-tenant": "globex" } });
    const res = await client.processCommand({ entityId: id, command: structAny({}) });
    expect(res.meta?.headers.map((h) => [h.key, h.value.value])).toEqual([
      ["x-tenant", "globex"],
      ["traceparent", expect.stringMatching(/^00-/)],
    ]);
    expect(structOf(res.state)).toMatchObject({ count: 1 });
  });
});
