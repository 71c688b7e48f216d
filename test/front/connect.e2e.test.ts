// ChiefOfStateService over Connect binary, Connect JSON and gRPC-Web, including typed Any from the descriptor set.
import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { ChiefOfStateService, GetStateResponseSchema } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { EntityService } from "../../src/gen/statehouse/v1/entity_pb.js";
import { DepositSchema } from "../.build/gen/test/v1/types_pb.js";
import { call, command, connectClient, connectError, freshId, state, structAny, structOf } from "../helpers.js";

describe.each(["connect", "connect-json", "grpc-web"] as const)("ChiefOfStateService over %s", (protocol) => {
  it("processes a command and gets the state", async () => {
    const client = connectClient(ChiefOfStateService, { protocol });
    const id = freshId(protocol);
    const res = await client.processCommand({ entityId: id, command: structAny({ events: [{ via: protocol }] }) });
    expect(res.meta?.revisionNumber).toBe(1);
    expect(res.meta?.entityId).toBe(id);
    expect(res.meta?.revisionDate).toBeDefined();
    expect(structOf(res.state)).toEqual({ count: 1, last: { via: protocol }, revision: 1 });
    const got = await client.getState({ entityId: id });
    expect(toBinary(GetStateResponseSchema, got)).toEqual(toBinary(GetStateResponseSchema, create(GetStateResponseSchema, { state: res.state, meta: res.meta })));
  });

  it("answers GetState on a new entity with NOT_FOUND", async () => {
    const client = connectClient(ChiefOfStateService, { protocol });
    const err = await connectError(() => client.getState({ entityId: freshId() }));
    expect(err.code).toBe(5);
  });

  it("requires a bearer token", async () => {
    const client = connectClient(ChiefOfStateService, { protocol, token: null });
    const err = await connectError(() => client.getState({ entityId: freshId() }));
    expect(err.code).toBe(16);
  });
});

describe("typed payloads from the descriptor set", () => {
  it("carry a user type through Connect JSON", async () => {
    const client = connectClient(ChiefOfStateService, { protocol: "connect-json" });
    const deposit = anyPack(DepositSchema, create(DepositSchema, { amount: 42n, note: "typed" }));
    const res = await client.processCommand({ entityId: freshId(), command: deposit });
    expect(res.state?.typeUrl).toBe("type.googleapis.com/test.v1.Deposit");
    expect(res.state?.value).toEqual(deposit.value);
  });

  it("reject an unknown @type in a Connect JSON request before anything runs", async () => {
    const id = freshId();
    const res = await call("/chief_of_state.v1.ChiefOfStateService/ProcessCommand", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ entityId: id, command: { "@type": "type.googleapis.com/nope.v1.Missing", x: 1 } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).code).toBe("invalid_argument");
    expect((await state(id)).status).toBe(404);
  });

  it("refuse to persist a state that Connect JSON could not answer", async () => {
    const id = freshId();
    const client = connectClient(ChiefOfStateService, { protocol: "connect-json" });
    const err = await connectError(() =>
      client.processCommand({ entityId: id, command: structAny({ events: [{ _state_type: "nope.v1.State" }] }) }),
    );
    expect(err.code).toBe(9);
    expect(err.rawMessage).toContain("nothing was persisted");
    expect((await state(id)).status).toBe(404);
    // The binary protocol needs no schema: the same command commits.
    const binary = connectClient(ChiefOfStateService);
    const ok = await binary.processCommand({ entityId: id, command: structAny({ events: [{ _state_type: "nope.v1.State" }] }) });
    expect(ok.state?.typeUrl).toBe("type.googleapis.com/nope.v1.State");
  });

  it("accept typed JSON with @type on the friendly API and render it back", async () => {
    const res = await command(freshId(), {
      command: { "@type": "type.googleapis.com/test.v1.Deposit", amount: "7", note: "hi" },
    });
    expect(res.status).toBe(200);
    expect(res.body.state).toEqual({ "@type": "type.googleapis.com/test.v1.Deposit", amount: "7", note: "hi" });
  });

  it("reject an unknown @type on the friendly API", async () => {
    const id = freshId();
    const res = await command(id, { command: { "@type": "type.googleapis.com/nope.v1.Missing" } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain("unknown type type.googleapis.com/nope.v1.Missing");
    expect((await state(id)).status).toBe(404);
  });

  it("render a state type the registry lacks as @bytes on the friendly API", async () => {
    const res = await command(freshId(), { command: { events: [{ _state_type: "nope.v1.State" }] } });
    expect(res.status).toBe(200);
    expect(res.body.state["@type"]).toBe("type.googleapis.com/nope.v1.State");
    expect(typeof res.body.state["@bytes"]).toBe("string");
  });
});

describe("statehouse.v1.EntityService", () => {
  it("reads the journal and a past state", async () => {
    const client = connectClient(EntityService);
    const id = freshId();
    await client.processCommand({ entityId: id, command: structAny({ events: [{ a: 1 }, { a: 2 }] }) });
    const page = await client.readJournal({ entityId: id, limit: 1 });
    expect(page.events.map((e) => e.meta?.revisionNumber)).toEqual([1]);
    expect(page.nextFromRevision).toBe(2);
    expect(page.headRevision).toBe(2);
    expect(structOf(page.events[0]?.event)).toEqual({ a: 1 });
    const past = await client.getState({ entityId: id, revision: 1 });
    expect(structOf(past.state)).toMatchObject({ count: 1 });
  });

  it("rejects a page size over 1000", async () => {
    const client = connectClient(EntityService);
    const err = await connectError(() => client.readJournal({ entityId: freshId(), limit: 1001 }));
    expect(err.code).toBe(3);
  });
});
