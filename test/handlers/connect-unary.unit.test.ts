// The written-out Connect client (connect-unary.ts) against connect-es's protocol transport it
// replaced: the same handler answers go to both, and the request, the answer or the StatehouseError
// must be the same.
import { create, createRegistry, toBinary, toJsonString } from "@bufbuild/protobuf";
import { AnySchema, StructSchema, anyPack } from "@bufbuild/protobuf/wkt";
import { type Transport, createClient } from "@connectrpc/connect";
import { createTransport } from "@connectrpc/connect/protocol-connect";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { StatehouseError } from "../../src/errors.js";
import { HandleCommandResponseSchema, WriteSideHandlerService } from "../../src/gen/chief_of_state/v1/writeside_pb.js";
import { createConnectUnaryTransport } from "../../src/handlers/connect-unary.js";
import { guardTransport } from "../../src/handlers/guard-transport.js";
import { type FetchFn, createHandlerFetch } from "../../src/handlers/index.js";
import { protocolTransportOptions } from "../../src/handlers/protocol-options.js";
import { encodeBase64 } from "../../src/payload/index.js";

const registry = createRegistry(StructSchema);
const struct = (n: number) => anyPack(StructSchema, create(StructSchema, { fields: { n: { kind: { case: "numberValue", value: n } } } }));
const answerMessage = create(HandleCommandResponseSchema, { events: [struct(1), struct(2)] });
const answerBytes = (binary: boolean) =>
  binary ? toBinary(HandleCommandResponseSchema, answerMessage) : new TextEncoder().encode(toJsonString(HandleCommandResponseSchema, answerMessage, { registry }));
const contentType = (binary: boolean) => (binary ? "application/proto" : "application/json");

interface Sent {
  url: string;
  headers: [string, string][];
  body: number[];
}

/** The old transport and the new one, each guarded as transportFor guards it, over the same target. */
function both(binary: boolean, target: FetchFn, opts: { timeoutMs?: number; secret?: string } = {}) {
  const make = (kind: "old" | "new") => {
    const sent: Sent[] = [];
    const recording: FetchFn = async (input, init) => {
      sent.push({ url: String(input), headers: [...new Headers(init?.headers)], body: [...(init?.body as Uint8Array)] });
      return target(input, init);
    };
    const options = { baseUrl: "http://handler.test/base", fetch: createHandlerFetch(recording, "write handler", opts.secret), registry };
    const raw: Transport = kind === "old" ? createTransport(protocolTransportOptions(options, binary)) : createConnectUnaryTransport(options, binary);
    return { client: createClient(WriteSideHandlerService, guardTransport(raw, "write handler", opts.timeoutMs ?? 1000)), sent };
  };
  return { old: make("old"), new: make("new") };
}

type Outcome = { ok: true; message: unknown; header: [string, string][]; trailer: [string, string][] } | { ok: false; code: string; message: string; details: unknown };

async function outcome(call: (o: { onHeader(h: Headers): void; onTrailer(t: Headers): void }) => Promise<unknown>): Promise<Outcome> {
  let header: [string, string][] = [];
  let trailer: [string, string][] = [];
  try {
    const message = await call({ onHeader: (h) => (header = [...h]), onTrailer: (t) => (trailer = [...t]) });
    return { ok: true, message: toJsonString(HandleCommandResponseSchema, message as never, { registry }), header, trailer };
  } catch (err) {
    if (!(err instanceof StatehouseError)) return { ok: false, code: `not a StatehouseError: ${String(err)}`, message: String(err), details: [] };
    return { ok: false, code: err.code, message: err.message, details: err.details };
  }
}

const request = { command: struct(7) };

/** Both transports' outcomes for `target`, calling HandleCommand with `request`. */
async function compare(binary: boolean, target: FetchFn, opts: { timeoutMs?: number; secret?: string; headers?: HeadersInit } = {}) {
  const t = both(binary, target, opts);
  const old = await outcome((o) => t.old.client.handleCommand(request, { ...o, headers: opts.headers }));
  const now = await outcome((o) => t.new.client.handleCommand(request, { ...o, headers: opts.headers }));
  return { old, now, sentOld: t.old.sent, sentNew: t.new.sent };
}

const respond =
  (body: BodyInit | null, status: number, headers: Record<string, string>): FetchFn =>
  async () =>
    new Response(body, { status, headers });

for (const binary of [true, false]) {
  const ct = contentType(binary);
  describe(`connect-unary vs connect-es's transport, ${binary ? "binary" : "JSON"}`, () => {
    it("sends the same request and reads the same answer", async () => {
      const r = await compare(binary, respond(answerBytes(binary), 200, { "content-type": ct, "x-answer": "a", "trailer-x-t": "t" }), {
        headers: { "x-tenant": "initech", "user-agent": "mine" },
      });
      expect(r.now).toEqual(r.old);
      expect(r.now.ok).toBe(true);
      expect(r.sentNew).toEqual(r.sentOld);
    });

    it("sends the same request when the propagated headers name an encoding", async () => {
      const r = await compare(binary, respond(answerBytes(binary), 200, { "content-type": ct }), {
        headers: { "content-encoding": "gzip", "accept-encoding": "br", "connect-accept-encoding": "gzip", "content-type": "text/plain", "connect-timeout-ms": "5" },
      });
      expect(r.now).toEqual(r.old);
      expect(r.sentNew).toEqual(r.sentOld);
    });

    it("sends the same signed request", async () => {
      vi.useFakeTimers({ toFake: ["Date"] });
      vi.setSystemTime(new Date("2026-12-07T12:00:00Z"));
      try {
        const r = await compare(binary, respond(answerBytes(binary), 200, { "content-type": ct }), {
          secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          headers: { "webhook-id": "msg_1" },
        });
        expect(r.now).toEqual(r.old);
        expect(r.sentNew).toEqual(r.sentOld);
        expect(new Map(r.sentNew[0]!.headers).get("webhook-signature")).toMatch(/^v1,/);
      } finally {
        vi.useRealTimers();
      }
    });

    it("fails as before for a request holding an Any of a type the registry lacks", async () => {
      const t = both(binary, respond(answerBytes(binary), 200, { "content-type": ct }));
      const odd = { command: { typeUrl: "type.googleapis.com/x.Unknown", value: new Uint8Array([8, 1]) } };
      const old = await outcome(() => t.old.client.handleCommand(odd));
      const now = await outcome(() => t.new.client.handleCommand(odd));
      expect(now).toEqual(old);
      expect(t.new.sent).toEqual(t.old.sent);
    });

    for (const timeoutMs of [0, -1]) {
      it(`sends no deadline and sets no timer for a timeout of ${timeoutMs}`, async () => {
        const r = await compare(binary, respond(answerBytes(binary), 200, { "content-type": ct }), { timeoutMs });
        expect(r.now).toEqual(r.old);
        expect(r.sentNew).toEqual(r.sentOld);
        expect(new Map(r.sentNew[0]!.headers).has("connect-timeout-ms")).toBe(false);
      });
    }

    const cases: [string, FetchFn][] = [
      [
        "a Connect error with details and trailers",
        respond(
          JSON.stringify({
            code: "failed_precondition",
            message: "no",
            details: [{ type: "google.protobuf.Struct", value: encodeBase64(toBinary(StructSchema, create(StructSchema, { fields: { why: { kind: { case: "stringValue", value: "closed" } } } }))) }],
          }),
          412,
          { "content-type": "application/json", "trailer-x-t": "t" },
        ),
      ],
      ["a Connect error with an unknown code", respond(JSON.stringify({ code: "bogus", message: "what" }), 400, { "content-type": "application/json" })],
      ["a 502 with a JSON body that is not a Connect error", respond(JSON.stringify({ error: "bad gateway" }), 502, { "content-type": "application/json" })],
      ["a 500 whose JSON content type holds text", respond("boom", 500, { "content-type": "application/json" })],
      ["a 200 in the other format", respond(answerBytes(!binary), 200, { "content-type": contentType(!binary) })],
      ["a 200 in text/html", respond("<html></html>", 200, { "content-type": "text/html" })],
      ["a 200 without a content type", respond(answerBytes(binary), 200, {})],
      ["a 200 with an empty body", respond(null, 200, { "content-type": ct })],
      ["a 200 whose body is not a message", respond(binary ? new Uint8Array([0xff, 0xff, 0xff]) : "[1,2]", 200, { "content-type": ct })],
      ["a 200 with a wrongly typed field", respond(binary ? new Uint8Array([0x0a, 0x05, 0x01]) : '{"events": 5}', 200, { "content-type": ct })],
      ["a 200 with an Any of an unknown type", respond(binary ? toBinary(HandleCommandResponseSchema, create(HandleCommandResponseSchema, { events: [{ typeUrl: "type.googleapis.com/x.Y", value: new Uint8Array([1]) }] })) : '{"events":[{"@type":"type.googleapis.com/x.Y","a":1}]}', 200, { "content-type": ct })],
      ["a 204", respond(null, 204, { "content-type": ct })],
      ["a 200 streaming content type", respond(answerBytes(binary), 200, { "content-type": `application/connect+${binary ? "proto" : "json"}` })],
      ["an unreachable handler", async () => Promise.reject(new TypeError("fetch failed"))],
      ["an answer in an encoding nobody asked for", respond(answerBytes(binary), 200, { "content-type": ct, "content-encoding": "snappy" })],
      ["an identity content-encoding", respond(answerBytes(binary), 200, { "content-type": ct, "content-encoding": "identity" })],
    ];
    for (const [name, target] of cases) {
      it(`fails or answers as before: ${name}`, async () => {
        const r = await compare(binary, target);
        expect(r.now).toEqual(r.old);
        expect(r.sentNew).toEqual(r.sentOld);
      });
    }
  });
}

/** A Node handler on 127.0.0.1 whose answer the test picks with x-mode; real fetch in between. */
interface HandlerServer {
  url: string;
  lastAcceptEncoding(): string | undefined;
  close(): void;
}
let server: HandlerServer;
// Not a literal: the server is Node code, type-checked with the Node types (tsconfig.node.json).
const serverModule = "../fixtures/connect-unary-handler/node-server.js";
beforeAll(async () => {
  const { startConnectUnaryServer } = (await import(/* @vite-ignore */ serverModule)) as { startConnectUnaryServer(answer: (binary: boolean) => Uint8Array): Promise<HandlerServer> };
  server = await startConnectUnaryServer(answerBytes);
});
afterAll(() => server.close());

const network: FetchFn = (input, init) => fetch(String(input).replace("http://handler.test/base", server.url), init);

for (const binary of [true, false]) {
  describe(`connect-unary vs connect-es's transport over the network, ${binary ? "binary" : "JSON"}`, () => {
    for (const mode of ["stall-headers", "stall-mid-body"]) {
      it(`is deadline_exceeded as before: ${mode}`, async () => {
        const r = await compare(binary, network, { timeoutMs: 50, headers: { "x-mode": mode } });
        expect(r.now).toEqual(r.old);
        expect(r.now).toMatchObject({ code: "deadline_exceeded", message: "write handler did not answer within 50 ms" });
      });
    }

    it("fails as before, unavailable and naming the handler, when the connection drops in the middle of the answer", async () => {
      const r = await compare(binary, network, { headers: { "x-mode": "reset-mid-body" } });
      expect(r.now).toEqual(r.old);
      expect(r.now).toMatchObject({ code: "unavailable", message: "write handler broke off its answer: terminated" });
    });

    // The one outcome that differs on purpose: connect-es refused any content-encoding, even one
    // the runtime's fetch had already decoded; the other protocols read it, and so does connect now.
    it("reads a gzip answer the runtime decoded (Node's fetch asked for gzip), which connect-es's transport refused", async () => {
      const r = await compare(binary, network, { headers: { "x-mode": "gzip" } });
      expect(server.lastAcceptEncoding()).toMatch(/gzip/);
      expect(r.now).toMatchObject({ ok: true });
      expect(r.old).toMatchObject({ ok: false, code: "internal", message: 'unsupported response encoding "gzip"' });
    });
  });
}

/** A fetch that answers after `ms`, whatever its signal says (a runtime slow to notice an abort). */
const deaf =
  (ms: number, fail: boolean): FetchFn =>
  () =>
    new Promise((resolve, reject) =>
      setTimeout(() => (fail ? reject(new TypeError("fetch failed")) : resolve(new Response(answerBytes(true), { status: 200, headers: { "content-type": "application/proto" } }))), ms),
    );
/** A fetch that never answers, until the request's signal gives up (at once if it already has, as fetch does). */
const silent: FetchFn = (_input, init) =>
  new Promise((_resolve, reject) => {
    if (init?.signal?.aborted) reject(init.signal.reason);
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  });

describe("connect-unary vs connect-es's transport: the caller's signal and the timer", () => {
  async function withSignal(target: FetchFn, signal: AbortSignal, timeoutMs = 1000) {
    const t = both(true, target, { timeoutMs });
    const old = await outcome(() => t.old.client.handleCommand(request, { signal }));
    const now = await outcome(() => t.new.client.handleCommand(request, { signal }));
    return { old, now };
  }

  for (const [name, reason] of [
    ["no reason", undefined],
    ["an Error", new Error("caller gave up")],
    ["a StatehouseError", new StatehouseError("aborted", "shard moved")],
  ] as const) {
    it(`is canceled as before by a signal aborted before the call, with ${name}`, async () => {
      const r = await withSignal(silent, AbortSignal.abort(reason));
      expect(r.now).toEqual(r.old);
    });

    it(`is canceled as before by a signal aborted during the call, with ${name}`, async () => {
      const make = () => {
        const c = new AbortController();
        setTimeout(() => c.abort(reason), 10);
        return c.signal;
      };
      const t = both(true, silent);
      const old = await outcome(() => t.old.client.handleCommand(request, { signal: make() }));
      const now = await outcome(() => t.new.client.handleCommand(request, { signal: make() }));
      expect(now).toEqual(old);
      expect(now.ok).toBe(false);
    });
  }

  it("names the first of the caller's abort and the deadline, as before, when the fetch is slow to give up", async () => {
    const make = () => {
      const c = new AbortController();
      setTimeout(() => c.abort(new Error("caller gave up")), 5);
      return c.signal;
    };
    const t = both(true, deaf(60, true), { timeoutMs: 20 });
    const old = await outcome(() => t.old.client.handleCommand(request, { signal: make() }));
    const now = await outcome(() => t.new.client.handleCommand(request, { signal: make() }));
    expect(now).toEqual(old);
  });

  it("leaves no timer behind when a call answers, fails or is aborted", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const ok = both(true, respond(answerBytes(true), 200, { "content-type": "application/proto" }), { timeoutMs: 5000 });
      await ok.new.client.handleCommand(request);
      expect(vi.getTimerCount()).toBe(0);
      const failing = both(true, respond("boom", 500, {}), { timeoutMs: 5000 });
      await expect(failing.new.client.handleCommand(request)).rejects.toThrow(/HTTP 500/);
      expect(vi.getTimerCount()).toBe(0);
      const aborted = both(true, silent, { timeoutMs: 5000 });
      await expect(aborted.new.client.handleCommand(request, { signal: AbortSignal.abort() })).rejects.toThrow();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends the same body for a MessageInit and for a message", async () => {
    const t = both(true, respond(answerBytes(true), 200, { "content-type": "application/proto" }));
    const { HandleCommandRequestSchema } = await import("../../src/gen/chief_of_state/v1/writeside_pb.js");
    await t.new.client.handleCommand(create(HandleCommandRequestSchema, request));
    await t.new.client.handleCommand(request);
    await t.old.client.handleCommand(request);
    expect(t.new.sent[0]!.body).toEqual(t.old.sent[0]!.body);
    expect(t.new.sent[1]!.body).toEqual(t.old.sent[0]!.body);
  });
});
