// W3C trace context end to end: from the front door through the entity to both write-handler calls, the event's meta and the read sides.
import { describe, expect, it, vi } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { call, command, connectClient, freshId, state, structAny, structOf } from "../helpers.js";
import { behave, callsOf, createReadSide, eventually, freshReadSideId } from "../readside/helpers.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
const VALID = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Trace id and span id of a traceparent; fails the test when it is not a valid one. */
function ids(traceparent: unknown): { traceId: string; spanId: string } {
  const m = VALID.exec(String(traceparent));
  expect(m, `a valid traceparent, not ${String(traceparent)}`).not.toBeNull();
  const [, traceId, spanId] = m as RegExpExecArray;
  expect(traceId).not.toBe("0".repeat(32));
  expect(spanId).not.toBe("0".repeat(16));
  return { traceId: traceId as string, spanId: spanId as string };
}

/** Runs an echo_trace command (the handler records the headers of both its calls) and returns its answer. */
async function tracedCommand(entityId: string, headers: Record<string, string>) {
  const res = await call(`/api/v1/entities/${encodeURIComponent(entityId)}/commands`, {
    method: "POST",
    body: JSON.stringify({ command: { op: "echo_trace" } }),
    headers: { "content-type": "application/json", ...headers },
  });
  const body = (await res.json()) as any;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return {
    traceresponse: res.headers.get("traceresponse"),
    atCommand: body.state.last.command_headers as Record<string, string>,
    atEvent: body.state.event_headers as Record<string, string>,
    meta: body.meta as { headers: { key: string; string_value?: string }[] },
  };
}

const metaHeader = (meta: { headers: { key: string; string_value?: string }[] }, key: string) => meta.headers.find((h) => h.key === key)?.string_value;

describe("trace context", { timeout: 30_000 }, () => {
  it("reaches both write-handler calls in the caller's trace, each call a span of its own", async () => {
    const r = await tracedCommand(freshId(), { traceparent: TRACEPARENT, "x-tenant": "acme" });
    const command = ids(r.atCommand.traceparent);
    const event = ids(r.atEvent.traceparent);
    expect(command.traceId).toBe(TRACE_ID);
    expect(event.traceId).toBe(TRACE_ID);
    expect(new Set([CALLER_SPAN, command.spanId, event.spanId]).size).toBe(3);
    // The command's propagated headers reach HandleEvent too (chief-of-state#66).
    expect(r.atCommand["x-tenant"]).toBe("acme");
    expect(r.atEvent["x-tenant"]).toBe("acme");
  });

  it("keeps the command's span in the event's meta, where GetState and the journal show it", async () => {
    const id = freshId();
    const r = await tracedCommand(id, { traceparent: TRACEPARENT, tracestate: "congo=t61rcWkgMzE" });
    expect(ids(metaHeader(r.meta, "traceparent")).traceId).toBe(TRACE_ID);
    expect(metaHeader(r.meta, "tracestate")).toBe("congo=t61rcWkgMzE");
    expect((await state(id)).body.meta.headers).toEqual(r.meta.headers);
    const events = (await (await call(`/api/v1/entities/${id}/events`)).json()) as any;
    expect(events.events[0].meta.headers).toEqual(r.meta.headers);
  });

  it("passes tracestate on to the handler unchanged", async () => {
    const r = await tracedCommand(freshId(), { traceparent: TRACEPARENT, tracestate: "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" });
    expect(r.atCommand.tracestate).toBe("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    expect(r.atEvent.tracestate).toBe("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  });

  it("starts a trace for a command that has none, and names it in traceresponse", async () => {
    const r = await tracedCommand(freshId(), {});
    const command = ids(r.atCommand.traceparent);
    expect(ids(r.atEvent.traceparent).traceId).toBe(command.traceId);
    expect(ids(r.traceresponse).traceId).toBe(command.traceId);
    expect(ids(metaHeader(r.meta, "traceparent")).traceId).toBe(command.traceId);
  });

  it.each([
    ["upper-case hex", `00-${TRACE_ID.toUpperCase()}-${CALLER_SPAN}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${CALLER_SPAN}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE_ID}-${CALLER_SPAN}-01`],
    ["a version-00 header with extra fields", `${TRACEPARENT}-extra`],
    ["garbage", "not a traceparent"],
  ])("replaces a traceparent with %s by a new trace instead of refusing the command", async (_what, bad) => {
    const r = await tracedCommand(freshId(), { traceparent: bad, tracestate: "congo=t61rcWkgMzE" });
    const command = ids(r.atCommand.traceparent);
    expect(command.traceId).not.toBe(TRACE_ID);
    expect(command.traceId).not.toBe(TRACE_ID.toUpperCase());
    // A tracestate belongs to the traceparent it came with: without a valid one it is dropped.
    expect(r.atCommand.tracestate).toBeUndefined();
  });

  it("continues a later version's traceparent, ignoring its extra fields", async () => {
    const r = await tracedCommand(freshId(), { traceparent: `cc-${TRACE_ID}-${CALLER_SPAN}-01-what-the-future-holds` });
    expect(ids(r.atCommand.traceparent).traceId).toBe(TRACE_ID);
  });

  it("is taken from Connect and gRPC-Web requests too", async () => {
    for (const protocol of ["connect", "connect-json", "grpc-web"] as const) {
      const client = connectClient(ChiefOfStateService, { protocol, headers: { traceparent: TRACEPARENT } });
      const res = await client.processCommand({ entityId: freshId(protocol), command: structAny({ op: "echo_trace" }) });
      const s = structOf(res.state) as any;
      expect(ids(s.last.command_headers.traceparent).traceId).toBe(TRACE_ID);
      expect(ids(s.event_headers.traceparent).traceId).toBe(TRACE_ID);
      expect(ids(res.meta?.headers.find((h) => h.key === "traceparent")?.value.value).traceId).toBe(TRACE_ID);
    }
  });

  it("is taken from the CoS gateway", async () => {
    const { anyToBase64 } = await import("../../src/payload/index.js");
    const res = await call(`/v1/commands/${freshId()}/process`, {
      method: "POST",
      body: JSON.stringify({ command: anyToBase64(structAny({ op: "echo_trace" })) }),
      headers: { "content-type": "application/json", traceparent: TRACEPARENT },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(ids(metaHeader(body.meta, "traceparent")).traceId).toBe(TRACE_ID);
  });

  it("is taken from the documents API", async () => {
    const res = await call(`/api/v1/docs/TraceDoc/${freshId("doc")}`, {
      method: "PUT",
      body: JSON.stringify({ name: "traced" }),
      headers: { "content-type": "application/json", traceparent: TRACEPARENT },
    });
    expect(res.status).toBe(201);
    expect(ids(res.headers.get("traceresponse")).traceId).toBe(TRACE_ID);
  });

  it("reaches every read side's webhook, whatever its protocol, as a child of the command's span", async () => {
    const sides = ["connect", "connect-json", "grpc-web", "cos-http"].map((protocol) => ({ id: freshReadSideId(`trace-${protocol}`), protocol }));
    for (const s of sides) {
      await behave(s.id, { mode: "ok" });
      // Only this file's Struct events: the read sides also replay the entities earlier tests made (the documents' included).
      await createReadSide({ id: s.id, protocol: s.protocol, event_types: ["google.protobuf.Struct"] });
    }
    const id = freshId();
    const r = await tracedCommand(id, { traceparent: TRACEPARENT, tracestate: "congo=t61rcWkgMzE" });
    const committed = ids(metaHeader(r.meta, "traceparent"));
    for (const s of sides) {
      const [delivered] = await eventually(async () => {
        const c = await callsOf(s.id, id);
        expect(c).toHaveLength(1);
        return c;
      });
      const d = ids(delivered?.traceparent);
      expect(d.traceId, s.protocol).toBe(TRACE_ID);
      expect(d.spanId, s.protocol).not.toBe(committed.spanId);
      expect(delivered?.tracestate, s.protocol).toBe("congo=t61rcWkgMzE");
    }
  });

  it("names the command's trace in the log line of a failing write handler", async () => {
    const warn = vi.spyOn(console, "warn");
    try {
      const res = await command(freshId(), { command: {} }, { traceparent: TRACEPARENT, "x-test-mode": "http-503" });
      expect(res.status).toBe(503);
      const lines = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
      const line = lines.find((l) => String(l.msg).includes("failed in the write handler"));
      expect(line).toMatchObject({ level: "warn", code: "unavailable", trace_id: TRACE_ID });
      expect(line?.span_id).toMatch(/^[0-9a-f]{16}$/);
    } finally {
      warn.mockRestore();
    }
  });
});
