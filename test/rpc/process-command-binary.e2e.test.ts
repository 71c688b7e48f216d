// ChiefOfStateService/ProcessCommand in Connect binary answers as the Connect router does, from raw request bytes.
import { describe, expect, it } from "vitest";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import {
  ChiefOfStateService,
  ProcessCommandRequestSchema,
  ProcessCommandResponseSchema,
} from "../../src/gen/chief_of_state/v1/service_pb.js";
import { call, connectClient, freshId, structAny, structOf } from "../helpers.js";

const PATH = "/chief_of_state.v1.ChiefOfStateService/ProcessCommand";

/** POSTs raw Connect binary; `routerOnly` adds a deadline header, which sends the request through the Connect router. */
function post(body: Uint8Array, opts: { routerOnly?: boolean } = {}) {
  return call(PATH, {
    method: "POST",
    body,
    headers: { "content-type": "application/proto", ...(opts.routerOnly ? { "connect-timeout-ms": "60000" } : {}) },
  });
}

function requestBytes(entityId: string, value: object): Uint8Array {
  return toBinary(ProcessCommandRequestSchema, create(ProcessCommandRequestSchema, { entityId, command: structAny(value as never) }));
}

describe("ProcessCommand over Connect binary", () => {
  it("answers the same message as the Connect router, byte for byte", async () => {
    const fast = await post(requestBytes(freshId("fast"), { events: [{ n: 1 }] }));
    const slow = await post(requestBytes(freshId("slow"), { events: [{ n: 1 }] }), { routerOnly: true });
    expect(fast.status).toBe(200);
    expect(fast.headers.get("content-type")).toBe(slow.headers.get("content-type"));
    const a = fromBinary(ProcessCommandResponseSchema, new Uint8Array(await fast.arrayBuffer()));
    const b = fromBinary(ProcessCommandResponseSchema, new Uint8Array(await slow.arrayBuffer()));
    expect(toBinary(AnySchema, a.state!)).toEqual(toBinary(AnySchema, b.state!));
    expect(a.meta?.revisionNumber).toBe(1);
    expect(b.meta?.revisionNumber).toBe(1);
  });

  it("gives the state GetState then reads", async () => {
    const id = freshId();
    const res = fromBinary(ProcessCommandResponseSchema, new Uint8Array(await (await post(requestBytes(id, { events: [{ n: 2 }] }))).arrayBuffer()));
    const got = await connectClient(ChiefOfStateService).getState({ entityId: id });
    expect(toBinary(AnySchema, got.state!)).toEqual(toBinary(AnySchema, res.state!));
    expect(got.meta?.revisionDate).toEqual(res.meta?.revisionDate);
  });

  it("merges a command sent in two parts, as protobuf does", async () => {
    const id = freshId();
    const command = structAny({ events: [{ merged: true }] });
    const any = toBinary(AnySchema, command);
    // Part one holds the type URL, part two the value: each is an Any of its own.
    const cut = toBinary(AnySchema, create(AnySchema, { typeUrl: command.typeUrl })).byteLength;
    const body = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .string(id)
      .tag(2, WireType.LengthDelimited)
      .bytes(any.subarray(0, cut))
      .tag(2, WireType.LengthDelimited)
      .bytes(any.subarray(cut))
      .finish();
    const res = await post(body);
    expect(res.status).toBe(200);
    const reply = fromBinary(ProcessCommandResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect(structOf(reply.state)).toMatchObject({ last: { merged: true } });
  });

  it("ignores unknown fields", async () => {
    const id = freshId();
    const body = new BinaryWriter().tag(99, WireType.Varint).uint32(7).raw(requestBytes(id, { events: [{ n: 3 }] })).finish();
    const res = await post(body);
    expect(res.status).toBe(200);
    const reply = fromBinary(ProcessCommandResponseSchema, new Uint8Array(await res.arrayBuffer()));
    expect(reply.meta?.entityId).toBe(id);
  });

  it("answers a truncated body as the router does", async () => {
    const body = requestBytes(freshId(), { events: [{ n: 4 }] }).subarray(0, 12);
    const fast = await post(body);
    const slow = await post(body, { routerOnly: true });
    expect(fast.status).toBe(slow.status);
    expect(await fast.json()).toEqual(await slow.json());
  });

  it("answers a missing command as the router does", async () => {
    const body = new BinaryWriter().tag(1, WireType.LengthDelimited).string(freshId()).finish();
    const fast = await post(body);
    const slow = await post(body, { routerOnly: true });
    expect(fast.status).toBe(400);
    expect(await fast.json()).toEqual(await slow.json());
  });
});
