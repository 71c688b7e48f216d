// A write handler that fails, answers garbage, is slow or returns nothing: clear errors, nothing stored.
import { describe, expect, it } from "vitest";
import { fromBinary, toJson } from "@bufbuild/protobuf";
import { StructSchema } from "@bufbuild/protobuf/wkt";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { command, connectClient, connectError, freshId, state, structAny } from "../helpers.js";

async function existing() {
  const id = freshId("fault");
  await command(id, { command: {} });
  return { id, before: (await state(id)).body };
}

describe("write handler faults (Service Binding)", () => {
  it("passes a handler error through with its code, message and details", async () => {
    const { id, before } = await existing();
    const client = connectClient(ChiefOfStateService);
    const err = await connectError(() =>
      client.processCommand({
        entityId: id,
        command: structAny({ op: "fail", code: "failed_precondition", message: "insufficient funds", detail: { balance: 3 } }),
      }),
    );
    expect(err.code).toBe(9);
    expect(err.rawMessage).toBe("insufficient funds");
    expect(err.details).toHaveLength(1);
    const detail = err.details[0] as { type: string; value: Uint8Array };
    expect(detail.type).toBe("google.protobuf.Struct");
    expect(toJson(StructSchema, fromBinary(StructSchema, detail.value))).toEqual({ balance: 3 });
    expect((await state(id)).body).toEqual(before);
  });

  it("maps a handler error to an honest HTTP status on the JSON API", async () => {
    const { id } = await existing();
    const res = await command(id, { command: { op: "fail", code: "not_found", message: "no such thing" } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: "not_found", message: "no such thing" });
  });

  it("is deadline_exceeded past the timeout, and the entity takes the next command", async () => {
    const { id, before } = await existing();
    const slow = await command(id, { command: { op: "sleep", ms: 1500 } });
    expect(slow.status).toBe(504);
    expect(slow.body.code).toBe("deadline_exceeded");
    expect((await state(id)).body).toEqual(before);
    const next = await command(id, { command: {} });
    expect(next.status).toBe(200);
    expect(next.body.meta.revision_number).toBe(2);
  });

  it("reports a non-200 answer without a Connect error body by its status", async () => {
    const { id, before } = await existing();
    const res = await command(id, { command: {} }, { "x-test-mode": "http-503" });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ code: "unavailable", message: "write handler answered HTTP 503: busy" });
    expect((await state(id)).body).toEqual(before);
  });

  it("reports a garbage answer as an error and stores nothing", async () => {
    const { id, before } = await existing();
    const res = await command(id, { command: {} }, { "x-test-mode": "garbage" });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("internal");
    expect(res.body.message).toMatch(/^write handler answered an invalid body/);
    expect((await state(id)).body).toEqual(before);
  });

  it("refuses an answer whose Content-Length is over the limit, storing nothing", async () => {
    const { id, before } = await existing();
    const res = await command(id, { command: {} }, { "x-test-mode": "huge-length" });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("internal");
    expect(res.body.message).toMatch(/^write handler answered an invalid body: Content-Length/);
    expect((await state(id)).body).toEqual(before);
  });

  it("rejects an empty resulting state with CoS's message", async () => {
    const { id, before } = await existing();
    const res = await command(id, { command: { events: [{ _empty_state: true }] } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: "invalid_argument", message: "event handler replied with empty state" });
    expect((await state(id)).body).toEqual(before);
  });

  it("commits nothing of a multi-event command when a later event fails", async () => {
    const { id, before } = await existing();
    const res = await command(id, { command: { events: [{ ok: 1 }, { _empty_state: true }] } });
    expect(res.status).toBe(400);
    expect((await state(id)).body).toEqual(before);
  });

  it("refuses a journal row over the SQLite row limit with resource_exhausted", async () => {
    const { id, before } = await existing();
    // A 700 KB event folds into a state that holds it too: event + state exceed 2 MB per row.
    const big = "y".repeat(700_000);
    const res = await command(id, { command: { events: [{ big, _state: { a: big, b: big } }] } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("resource_exhausted");
    expect((await state(id)).body).toEqual(before);
  });
});
