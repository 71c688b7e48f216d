// W3C Trace Context (https://www.w3.org/TR/trace-context/): traceparent and tracestate read, checked, written; span ids made.

/** The request headers that carry a trace, in W3C Trace Context's names. */
export const TRACEPARENT = "traceparent";
export const TRACESTATE = "tracestate";

/** One span of a trace: the ids a `traceparent` names, its flags, and the vendors' `tracestate`. */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero: this span's id, the parent-id of what it calls. */
  spanId: string;
  /** Two lowercase hex digits; bit 0 is "sampled". */
  flags: string;
  /** The tracestate list as received (checked), passed on unchanged; undefined when there was none. */
  state?: string;
}

/** A trace as it travels in a message or an RPC argument: the two headers' values. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);
/** Version 00's exact form; a later version may append fields after a dash. */
const TRACEPARENT_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const TRACEPARENT_LATER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
/** tracestate list members: `key=value`, key a simple or a multi-tenant (`tenant@system`) name. */
const TRACESTATE_MEMBER = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_TRACESTATE_MEMBERS = 32;
const MAX_TRACESTATE_LENGTH = 512;

/**
 * The span a `traceparent` value names, or undefined when it breaks the specification: version 00
 * exactly (lowercase hex, 55 characters), a later version's first four fields (its extra fields
 * are ignored, as §3.2.4 asks), version ff refused, trace id and parent id not all zero.
 */
export function parseTraceparent(value: string | null | undefined): Omit<TraceContext, "state"> | undefined {
  if (value === null || value === undefined) return undefined;
  const fields = traceparentFields(value.trim());
  if (fields === undefined) return undefined;
  const [traceId, spanId, flags] = fields;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return undefined;
  return { traceId, spanId, flags };
}

/** Trace id, parent id and flags of a traceparent of version 00, or of a later version (not ff). */
function traceparentFields(v: string): [string, string, string] | undefined {
  const m = TRACEPARENT_00.exec(v);
  if (m !== null) return [m[1]!, m[2]!, m[3]!];
  const later = TRACEPARENT_LATER.exec(v);
  if (later === null || later[1] === "00" || later[1] === "ff") return undefined;
  return [later[2]!, later[3]!, later[4]!];
}

/**
 * A `tracestate` value cleaned for passing on, or undefined: empty members dropped, at most 32
 * members and 512 characters (members beyond are cut from the end, as §3.3.1.5 allows); a list
 * with a malformed member or a repeated key is dropped whole (§3.3.1.3: never pass on what
 * could not be parsed).
 */
export function parseTracestate(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const members = value
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "");
  if (members.length === 0) return undefined;
  const keys = new Set<string>();
  for (const m of members) {
    if (!TRACESTATE_MEMBER.test(m)) return undefined;
    const key = m.slice(0, m.indexOf("="));
    if (keys.has(key)) return undefined;
    keys.add(key);
  }
  const kept = members.slice(0, MAX_TRACESTATE_MEMBERS);
  while (kept.length > 0 && kept.join(",").length > MAX_TRACESTATE_LENGTH) kept.pop();
  return kept.length === 0 ? undefined : kept.join(",");
}

/** The trace in these headers, when their `traceparent` is valid (a `tracestate` without one is ignored). */
export function traceFromHeaders(headers: Headers): TraceContext | undefined {
  return traceFromCarrier({ traceparent: headers.get(TRACEPARENT) ?? "", tracestate: headers.get(TRACESTATE) ?? undefined });
}

/** The trace a carrier holds, when its `traceparent` is valid. */
export function traceFromCarrier(carrier: Partial<TraceCarrier> | undefined): TraceContext | undefined {
  const parent = parseTraceparent(carrier?.traceparent);
  if (parent === undefined) return undefined;
  const state = parseTracestate(carrier?.tracestate);
  return state === undefined ? parent : { ...parent, state };
}

/** The `traceparent` value for a span (always version 00). */
export function formatTraceparent(t: Pick<TraceContext, "traceId" | "spanId" | "flags">): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}

/** A span as the two header values. */
export function carrierOf(t: TraceContext): TraceCarrier {
  return t.state === undefined ? { traceparent: formatTraceparent(t) } : { traceparent: formatTraceparent(t), tracestate: t.state };
}

/** `headers` (copied) with this span's `traceparent` and `tracestate` set, replacing any there. */
export function withTraceHeaders(headers: HeadersInit | undefined, t: TraceContext): Headers {
  const out = new Headers(headers);
  out.set(TRACEPARENT, formatTraceparent(t));
  if (t.state === undefined) out.delete(TRACESTATE);
  else out.set(TRACESTATE, t.state);
  return out;
}

/** A child of `parent`: the same trace, flags and tracestate, a new span id (`spanId` when given and valid). */
export function childOf(parent: TraceContext, spanId?: string): TraceContext {
  return { ...parent, spanId: spanId !== undefined && isSpanId(spanId) ? spanId : randomSpanId() };
}

/**
 * A new trace: the ids given when they are valid (a runtime span's), else random ones. Sampled
 * unless `flags` says otherwise: Statehouse records nothing itself, so the decision is left to
 * the handlers' tracers, which follow a sampled parent.
 */
export function newTrace(ids?: { traceId: string; spanId: string; flags?: string }): TraceContext {
  if (ids !== undefined && isTraceId(ids.traceId) && isSpanId(ids.spanId)) {
    return { traceId: ids.traceId, spanId: ids.spanId, flags: ids.flags !== undefined && /^[0-9a-f]{2}$/.test(ids.flags) ? ids.flags : "01" };
  }
  return { traceId: randomHex(16, ZERO_TRACE_ID), spanId: randomSpanId(), flags: "01" };
}

/** Whether `id` is a valid trace id (32 lowercase hex digits, not all zero). */
export function isTraceId(id: string): boolean {
  return /^[0-9a-f]{32}$/.test(id) && id !== ZERO_TRACE_ID;
}

/** Whether `id` is a valid span id (16 lowercase hex digits, not all zero). */
export function isSpanId(id: string): boolean {
  return /^[0-9a-f]{16}$/.test(id) && id !== ZERO_SPAN_ID;
}

function randomSpanId(): string {
  return randomHex(8, ZERO_SPAN_ID);
}

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
    // All zeros is invalid (and has odds of 2^-64 or less): draw again rather than send it.
    if (hex !== zero) return hex;
  }
}
