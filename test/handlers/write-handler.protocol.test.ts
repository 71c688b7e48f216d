// The write handler over HTTP in each protocol: a Statehouse Worker per WRITE_HANDLER_PROTOCOL,
// each with WRITE_HANDLER_URL at the Node test handler (vitest.config.ts, statehouseWorker).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { command, freshId, state } from "../helpers.js";
import { useFrontDoor } from "../support/front-door.js";

const STATEHOUSES = {
  connect: [env.STATEHOUSE_URL_CONNECT, env.DB_STATEHOUSE_URL_CONNECT],
  "connect-json": [env.STATEHOUSE_URL_CONNECT_JSON, env.DB_STATEHOUSE_URL_CONNECT_JSON],
  "grpc-web": [env.STATEHOUSE_URL_GRPC_WEB, env.DB_STATEHOUSE_URL_GRPC_WEB],
  "cos-http": [env.STATEHOUSE_URL_COS_HTTP, env.DB_STATEHOUSE_URL_COS_HTTP],
} as const;

describe.each(Object.keys(STATEHOUSES) as (keyof typeof STATEHOUSES)[])("write handler at WRITE_HANDLER_URL over %s", (protocol) => {
  useFrontDoor(...STATEHOUSES[protocol]);

  it("folds a multi-event command", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: { events: [{ a: 1 }, { a: 2 }] } });
    expect(res.status).toBe(200);
    expect(res.body.state).toEqual({ count: 2, last: { a: 2 }, revision: 2 });
    expect((await state(id)).body).toEqual(res.body);
  });

  it("commits nothing for a no-event command", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: { op: "noop" } });
    expect(res.body.meta.revision_number).toBe(0);
    expect((await state(id)).status).toBe(404);
  });

  it("passes a handler error through with its code and message", async () => {
    const res = await command(freshId(protocol), { command: { op: "fail", code: "failed_precondition", message: "no" } });
    expect(res.status).toBe(412);
    expect(res.body).toEqual({ code: "failed_precondition", message: "no" });
  });

  it("is unavailable when the handler drops the connection, and stores nothing", async () => {
    const id = freshId(protocol);
    await command(id, { command: {} });
    const before = (await state(id)).body;
    const res = await command(id, { command: {} }, { "x-test-mode": "destroy" });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("unavailable");
    expect((await state(id)).body).toEqual(before);
  });

  it("is unavailable when the handler drops the connection in the middle of its answer, and stores nothing", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: {} }, { "x-test-mode": "destroy-mid-body" });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("unavailable");
    expect(res.body.message).toMatch(/^write handler broke off its answer: /);
    expect((await state(id)).status).toBe(404);
  });

  it("is deadline_exceeded when the handler is slow, and the entity stays usable", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: { op: "sleep", ms: 1500 } });
    expect(res.status).toBe(504);
    expect((await command(id, { command: {} })).body.meta.revision_number).toBe(1);
  });

  it("reports an HTTP 500 without an error body as an error, storing nothing", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: {} }, { "x-test-mode": "http-500" });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: "internal", message: "write handler answered HTTP 500: boom" });
    expect((await state(id)).status).toBe(404);
  });

  it("reports a garbage answer as an error, storing nothing", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: {} }, { "x-test-mode": "garbage" });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("internal");
    expect(res.body.message).toMatch(/^write handler answered (an invalid body|a body that is not a JSON object)/);
    expect((await state(id)).status).toBe(404);
  });

  it("is deadline_exceeded when the handler stalls in the middle of its answer, and the entity stays usable", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: {} }, { "x-test-mode": "stall-body" });
    expect(res.status).toBe(504);
    expect(res.body.code).toBe("deadline_exceeded");
    expect((await state(id)).status).toBe(404);
    expect((await command(id, { command: {} })).body.meta.revision_number).toBe(1);
  });

  it("refuses an answer whose Content-Length is over the limit, storing nothing", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: {} }, { "x-test-mode": "huge-length" });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("internal");
    expect(res.body.message).toMatch(/^write handler answered an invalid body: Content-Length/);
    expect((await state(id)).status).toBe(404);
  });

  // Only gRPC-Web frames a unary answer in envelopes; the other protocols send the message as is.
  it.runIf(protocol === "grpc-web")("refuses an envelope announcing more than the limit, storing nothing", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: {} }, { "x-test-mode": "huge-envelope" });
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("internal");
    expect(res.body.message).toMatch(/^write handler answered an invalid body: an envelope announces/);
    expect((await state(id)).status).toBe(404);
  });

  // workerd's fetch asks for no encoding, but decodes gzip (and br) when a handler sends it anyway;
  // connect-es's transport refused every encoding here, the other protocols read it.
  it("reads an answer the handler gzip-compressed unasked, which the runtime decodes", async () => {
    const id = freshId(protocol);
    const res = await command(id, { command: { events: [{ a: 1 }] } }, { "x-test-mode": "encoded-gzip" });
    expect(res.status).toBe(200);
    expect(res.body.state).toEqual({ count: 1, last: { a: 1 }, revision: 1 });
  });

  // workerd passes deflate and unknown encodings through undecoded: their bytes are not the answer.
  for (const encoding of ["deflate", "snappy"]) {
    it(`refuses an answer in a content-encoding the runtime does not decode (${encoding}), storing nothing`, async () => {
      const id = freshId(protocol);
      const res = await command(id, { command: { events: [{ a: 1 }] } }, { "x-test-mode": `encoded-${encoding}` });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: "internal", message: `write handler answered an invalid body: unsupported content-encoding "${encoding}"` });
      expect((await state(id)).status).toBe(404);
    });
  }

  it("propagates allow-listed headers", async () => {
    const res = await command(freshId(protocol), { command: { op: "echo_headers" } }, { "x-tenant": "initech", "x-secret": "s" });
    expect(res.body.state.last.headers["x-tenant"]).toBe("initech");
    expect(res.body.state.last.headers["x-secret"]).toBeUndefined();
  });

  it("sends HandleCommand and HandleEvent the command's trace, each call as a span of its own, with the propagated headers", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await command(freshId(protocol), { command: { op: "echo_trace" } }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-tenant": "initech" });
    const atCommand = res.body.state.last.command_headers;
    const atEvent = res.body.state.event_headers;
    expect(atCommand.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(atEvent.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(atEvent.traceparent).not.toBe(atCommand.traceparent);
    expect(atEvent["x-tenant"]).toBe("initech");
  });
});
