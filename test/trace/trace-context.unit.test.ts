// W3C Trace Context: which traceparent and tracestate values are continued, and what a new span looks like.
import { describe, expect, it } from "vitest";
import { formatLine } from "../../src/log.js";
import {
  activeTrace,
  carrierOf,
  childOf,
  formatTraceparent,
  inSpan,
  installSpanApi,
  newTrace,
  parseTraceparent,
  parseTracestate,
  traceFromHeaders,
  traceFromMeta,
  startTrace,
  traceMetaHeaders,
  withTraceHeaders,
} from "../../src/trace/index.js";
import type { RuntimeSpan, SpanApi } from "../../src/trace/index.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

describe("traceparent", () => {
  it("reads version 00 exactly", () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" });
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.flags).toBe("00");
  });

  it.each([
    ["upper-case hex", `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN_ID}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ["version 00 with more after the flags", `00-${TRACE_ID}-${SPAN_ID}-01-00`],
    ["a short trace id", `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ["a short parent id", `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ["one-digit flags", `00-${TRACE_ID}-${SPAN_ID}-1`],
    ["non-hex digits", `00-${TRACE_ID.replace("4", "g")}-${SPAN_ID}-01`],
    ["an empty value", ""],
  ])("refuses %s", (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it("reads a later version's first four fields and ignores the rest", () => {
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" });
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-future`)).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" });
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01x`)).toBeUndefined();
  });

  it("is always written as version 00", () => {
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" })).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
  });
});

describe("tracestate", () => {
  it("passes a valid list on, without empty members", () => {
    expect(parseTracestate("rojo=00f067aa0ba902b7, ,congo=t61rcWkgMzE")).toBe("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    expect(parseTracestate("tenant@vendor=x")).toBe("tenant@vendor=x");
  });

  it("drops a list with a malformed member or a repeated key", () => {
    expect(parseTracestate("Rojo=1")).toBeUndefined();
    expect(parseTracestate("rojo")).toBeUndefined();
    expect(parseTracestate("rojo=1,rojo=2")).toBeUndefined();
    expect(parseTracestate("rojo=a,b")).toBeUndefined();
  });

  it("keeps at most 32 members and 512 characters", () => {
    const many = Array.from({ length: 40 }, (_, i) => `k${i}=v`).join(",");
    expect(parseTracestate(many)?.split(",")).toHaveLength(32);
    const long = Array.from({ length: 10 }, (_, i) => `k${i}=${"v".repeat(100)}`).join(",");
    expect(parseTracestate(long)?.length).toBeLessThanOrEqual(512);
  });

  it("is ignored without a valid traceparent", () => {
    expect(traceFromHeaders(new Headers({ tracestate: "rojo=1" }))).toBeUndefined();
    expect(traceFromHeaders(new Headers({ traceparent: "bad", tracestate: "rojo=1" }))).toBeUndefined();
    expect(traceFromHeaders(new Headers({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: "rojo=1" }))?.state).toBe("rojo=1");
  });
});

describe("spans", () => {
  const parent = { traceId: TRACE_ID, spanId: SPAN_ID, flags: "01", state: "rojo=1" };

  it("makes a child with the same trace, flags and tracestate, and a new span id", () => {
    const child = childOf(parent);
    expect(child).toMatchObject({ traceId: TRACE_ID, flags: "01", state: "rojo=1" });
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(SPAN_ID);
  });

  it("starts a sampled trace with random ids, or with the runtime's ids when they are valid", () => {
    const a = newTrace();
    const b = newTrace();
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.flags).toBe("01");
    expect(newTrace({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "00" })).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, flags: "00" });
    // The runtime's ids when a request is not traced: all zeros, which no header may carry.
    expect(newTrace({ traceId: "0".repeat(32), spanId: "0".repeat(16) }).traceId).not.toBe("0".repeat(32));
  });

  it("sets traceparent and tracestate on outgoing headers, replacing any there", () => {
    const h = withTraceHeaders({ traceparent: "old", tracestate: "old=1", "x-tenant": "acme" }, { traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" });
    expect(h.get("traceparent")).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(h.has("tracestate")).toBe(false);
    expect(h.get("x-tenant")).toBe("acme");
    expect(withTraceHeaders(undefined, parent).get("tracestate")).toBe("rojo=1");
  });

  it("round-trips through MetaData headers", () => {
    const headers = traceMetaHeaders(parent);
    expect(headers.map((h) => [h.key, h.value.value])).toEqual([
      ["traceparent", `00-${TRACE_ID}-${SPAN_ID}-01`],
      ["tracestate", "rojo=1"],
    ]);
    expect(traceFromMeta(headers)).toEqual(parent);
    expect(carrierOf(parent)).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: "rojo=1" });
  });

  it("is the active span for everything the work awaits, and log lines name it", async () => {
    expect(activeTrace()).toBeUndefined();
    const line = await inSpan("test", parent, {}, async (span) => {
      await new Promise((r) => setTimeout(r, 1));
      expect(activeTrace()).toEqual(span);
      return JSON.parse(formatLine("info", "inside")) as Record<string, unknown>;
    });
    expect(line).toMatchObject({ trace_id: TRACE_ID });
    expect(line.span_id).not.toBe(SPAN_ID);
    expect(JSON.parse(formatLine("info", "outside"))).toEqual({ level: "info", msg: "outside" });
  });
});

describe("the runtime's span API", () => {
  const CF_TRACE = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  /** A span API like workerd's: each entered span gets the next id of Cloudflare's trace, traced or not. */
  function fakeApi(traced: boolean) {
    const names: string[] = [];
    const attributes: Record<string, unknown>[] = [];
    let n = 0;
    const span = (spanId: string): RuntimeSpan => ({
      isTraced: traced,
      spanContext: () => (traced ? { traceId: CF_TRACE, spanId, traceFlags: 1 } : { traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 }),
      setAttributes: (a) => attributes.push(a),
    });
    const api: SpanApi = {
      enterSpan: (name, callback) => {
        names.push(name);
        return callback(span(`cf${String(++n).padStart(14, "0")}`));
      },
      getActiveSpan: () => span("cf00000000000000"),
    };
    return { api, names, attributes };
  }

  it("names each span and gives it the W3C ids as attributes", () => {
    const { api, names, attributes } = fakeApi(false);
    installSpanApi(api);
    try {
      const span = inSpan("statehouse.command", { traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" }, { "statehouse.entity_id": "e" }, (s) => s);
      expect(names).toEqual(["statehouse.command"]);
      expect(attributes).toEqual([{ "statehouse.entity_id": "e", "statehouse.trace_id": TRACE_ID, "statehouse.span_id": span.spanId }]);
    } finally {
      installSpanApi(undefined);
    }
  });

  it("starts a trace with Cloudflare's ids when the request is traced, and uses its span ids in that trace", () => {
    const { api } = fakeApi(true);
    installSpanApi(api);
    try {
      expect(startTrace()).toEqual({ traceId: CF_TRACE, spanId: "cf00000000000000", flags: "01" });
      const [outer, inner] = inSpan("statehouse.request", undefined, {}, (o) => inSpan("statehouse.command", undefined, {}, (i) => [o, i]));
      expect(outer).toMatchObject({ traceId: CF_TRACE, spanId: "cf00000000000001" });
      expect(inner).toMatchObject({ traceId: CF_TRACE, spanId: "cf00000000000002" });
      // A caller's own trace keeps its id; Cloudflare's span ids belong to another trace, so ours are random.
      const continued = inSpan("statehouse.request", { traceId: TRACE_ID, spanId: SPAN_ID, flags: "01" }, {}, (s) => s);
      expect(continued.traceId).toBe(TRACE_ID);
      expect(continued.spanId).not.toMatch(/^cf/);
    } finally {
      installSpanApi(undefined);
    }
  });

  it("starts random traces when the request is not traced", () => {
    installSpanApi(fakeApi(false).api);
    try {
      expect(startTrace().traceId).not.toBe("0".repeat(32));
    } finally {
      installSpanApi(undefined);
    }
  });
});
