// Bad input at the front door: each gets a clear error with the right code, and nothing stored changes.
import { create, fromJson, toBinary } from "@bufbuild/protobuf";
import { AnySchema, StructSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { DRAIN_MAX_BYTES } from "../../src/front/body-limit.js";
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

  it("routes ids with line terminators: U+2028 and U+2029 are ids like any other, a newline or carriage return is a control character", async () => {
    // Found by test/front/fuzz.e2e.test.ts: the routes' `.+` id patterns stopped at line terminators, so these were 404 "no route".
    for (const sep of ["\u2028", "\u2029"]) {
      const id = `sep-${sep}-${freshId()}`;
      const seg = encodeURIComponent(id);
      expect((await command(id, { command: {} })).status).toBe(200);
      expect((await state(id)).body.meta.entity_id).toBe(id);
      expect((await call(`/api/v1/entities/${seg}/events`)).status).toBe(200);
      expect((await call(`/v1/entities/${seg}/state`)).status).toBe(200);
      const doc = await call(`/api/v1/docs/Note/${seg}`, { method: "PUT", body: "{}", headers: { "content-type": "application/json" } });
      expect(doc.status).toBe(201);
      expect((await call(`/api/v1/docs/Note/${seg}`)).status).toBe(200);
    }
    for (const ctl of ["\n", "\r"]) {
      const res = await command(`a${ctl}b`, { command: {} });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: "invalid_argument", message: "entity ID contains a control character" });
      const doc = await call(`/api/v1/docs/Note/${encodeURIComponent(`a${ctl}b`)}`, { method: "PUT", body: "{}", headers: { "content-type": "application/json" } });
      expect([doc.status, ((await doc.json()) as any).code]).toEqual([400, "invalid_argument"]);
    }
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

/**
 * A request body of `chunks` × 64 KiB as a stream, counting what the server pulled: an answer sent
 * before the body was read leaves an HTTP/1.1 client writing into a closed connection (EPIPE or
 * ECONNRESET instead of the answer), so the door must read it all before answering.
 */
function countedBody(chunks: number) {
  const pulled = { chunks: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.chunks === chunks) return controller.close();
      pulled.chunks += 1;
      controller.enqueue(new Uint8Array(64 * 1024).fill(120));
    },
    cancel() {
      pulled.cancelled = true;
    },
  });
  return { body, pulled };
}

describe("answers to bodies nobody reads wait until the body was read", () => {
  it("reads a whole 2 MB streamed body before answering 413", async () => {
    const { id, before } = await existing();
    const { body, pulled } = countedBody(32);
    const res = await call(`/api/v1/entities/${id}/commands`, { method: "POST", body, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).code).toBe("resource_exhausted");
    expect(pulled).toEqual({ chunks: 32, cancelled: false });
    expect((await state(id)).body).toEqual(before);
  });

  it("reads a 2 MB body with a Content-Length before answering 413", async () => {
    const { body, pulled } = countedBody(32);
    const res = await call("/chief_of_state.v1.ChiefOfStateService/ProcessCommand", {
      method: "POST",
      body,
      headers: { "content-type": "application/proto", "content-length": String(32 * 64 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(pulled).toEqual({ chunks: 32, cancelled: false });
  });

  it("reads the body of a request refused before any handler (401, 404)", async () => {
    const unauthenticated = countedBody(8);
    const refused = await call("/api/v1/entities/x/commands", { method: "POST", body: unauthenticated.body, auth: false });
    expect(refused.status).toBe(401);
    expect(unauthenticated.pulled.chunks).toBe(8);
    const unrouted = countedBody(8);
    expect((await call("/nope", { method: "POST", body: unrouted.body })).status).toBe(404);
    expect(unrouted.pulled.chunks).toBe(8);
  });

  it("stops reading past DRAIN_MAX_BYTES", async () => {
    const { body, pulled } = countedBody(DRAIN_MAX_BYTES / (64 * 1024) + 64);
    const res = await call("/api/v1/entities/x/commands", { method: "POST", body });
    expect(res.status).toBe(413);
    expect(pulled.chunks).toBeLessThan(DRAIN_MAX_BYTES / (64 * 1024) + 64);
  });
});

/** A JSON object `depth` levels deep (each level one object); the deepest is `bottom`. */
function nested(depth: number, bottom: Record<string, unknown> = { leaf: "bottom" }): Record<string, unknown> {
  let doc = bottom;
  for (let i = 1; i < depth; i++) doc = { inner: doc };
  return doc;
}

describe("how deep JSON may nest", () => {
  // protobuf-es reads at most 100 nested messages, and each JSON level is a Value and a Struct.
  const DEEPEST = 50;

  it("accepts a command at the limit and refuses one level deeper with invalid_argument naming the limit", async () => {
    const ok = await command(freshId("deep"), { command: nested(DEEPEST) });
    expect(ok.status).toBe(200);
    const id = freshId("deep");
    const res = await command(id, { command: nested(DEEPEST + 1) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_argument");
    expect(res.body.message).toContain(String(DEEPEST));
    expect((await state(id)).status).toBe(404);
  });

  it("refuses a Connect command deeper than the limit", async () => {
    const client = connectClient(ChiefOfStateService);
    const err = await connectError(() => client.processCommand({ entityId: freshId("deep"), command: structAny(nested(DEEPEST + 1) as never) }));
    expect(err.code).toBe(3);
    expect(err.rawMessage).toContain(String(DEEPEST));
  });

  it("fails a command whose handler answers a state deeper than the limit, storing nothing, and every read of a state at the limit works", async () => {
    // The test handler emits a command of another type as its event and folds a Struct event E
    // into {count, last: E, revision}: one level deeper than E. E ends in an empty object so the
    // handler can still read it at 50 levels.
    const client = connectClient(ChiefOfStateService);
    const opaque = (depth: number) =>
      create(AnySchema, { typeUrl: "type.googleapis.com/test.v1.Opaque", value: toBinary(StructSchema, fromJson(StructSchema, nested(depth, {}) as never)) });
    const id = freshId("deep");
    const err = await connectError(() => client.processCommand({ entityId: id, command: opaque(DEEPEST) }));
    expect(err.code).toBe(3);
    expect(err.rawMessage).toContain(String(DEEPEST));
    expect((await state(id)).status).toBe(404);

    const fine = freshId("deep");
    await client.processCommand({ entityId: fine, command: opaque(DEEPEST - 1) });
    const read = await state(fine);
    expect(read.status).toBe(200);
    expect(read.body.state.last).toEqual(nested(DEEPEST - 1, {}));
    expect((await call(`/api/v1/entities/${fine}/events`)).status).toBe(200);
  });
});

describe("malformed binary request bodies", () => {
  const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff]);
  const methods = [
    "/chief_of_state.v1.ChiefOfStateService/ProcessCommand",
    "/chief_of_state.v1.ChiefOfStateService/GetState",
    "/statehouse.v1.EntityService/ReadJournal",
    "/contracts.crudstore.CrudStoreService/Get",
    "/chief_of_state.v1.ChiefOfStateService/Subscribe",
  ];

  it.each(methods)("answers Connect binary garbage to %s with invalid_argument", async (path) => {
    const streaming = path.endsWith("/Subscribe");
    const body = streaming ? new Uint8Array([0, 0, 0, 0, garbage.length, ...garbage]) : garbage;
    const res = await call(path, { method: "POST", headers: { "content-type": streaming ? "application/connect+proto" : "application/proto" }, body });
    if (streaming) {
      const frames = new Uint8Array(await res.arrayBuffer());
      // The end-of-stream frame (flag 2) carries the error as JSON.
      expect(frames[0]).toBe(2);
      expect(JSON.parse(new TextDecoder().decode(frames.subarray(5))).error.code).toBe("invalid_argument");
    } else {
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).code).toBe("invalid_argument");
    }
  });

  it.each(methods)("answers gRPC-Web garbage to %s with grpc-status 3", async (path) => {
    const res = await call(path, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: new Uint8Array([0, 0, 0, 0, garbage.length, ...garbage]),
    });
    expect(res.status).toBe(200);
    const frames = new Uint8Array(await res.arrayBuffer());
    // The trailer frame (flag 0x80) carries grpc-status.
    expect(frames[0]).toBe(0x80);
    expect(new TextDecoder().decode(frames.subarray(5))).toMatch(/grpc-status: ?3\r\n/);
  });
});

describe("ids that are not well-formed percent-encoded UTF-8", () => {
  const bad = ["alias-a%FFb", "a%ED%A0%80b", "a%zzb"];

  it.each(bad)("refuses %s on every route with an id or type in its path, creating nothing", async (raw) => {
    const routes: [string, string, unknown?][] = [
      ["POST", `/api/v1/entities/${raw}/commands`, { command: {} }],
      ["GET", `/api/v1/entities/${raw}`],
      ["GET", `/api/v1/entities/${raw}/events`],
      ["POST", `/v1/commands/${raw}/process`, { command: "" }],
      ["GET", `/v1/entities/${raw}/state`],
      ["PUT", `/api/v1/docs/Note/${raw}`, { n: 1 }],
      ["GET", `/api/v1/docs/Note/${raw}`],
      ["GET", `/api/v1/docs/${raw}`],
      ["PUT", `/api/v1/log/consumers/${raw}`, { offset: 0 }],
      ["GET", `/api/v1/log/consumers/${raw}`],
    ];
    for (const [method, path, body] of routes) {
      const res = await call(path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { "content-type": "application/json" } });
      expect([method, path, res.status]).toEqual([method, path, 400]);
      expect(((await res.json()) as any).code).toBe("invalid_argument");
    }
    expect((await state(raw)).status).toBe(404);
  });
});
