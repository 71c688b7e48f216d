// The trace in chief_of_state.v1.MetaData.headers: where a committed event keeps the command's traceparent.
import { create } from "@bufbuild/protobuf";
import { type Header, HeaderSchema } from "../gen/chief_of_state/v1/common_pb.js";
import { TRACEPARENT, TRACESTATE, type TraceContext, carrierOf, traceFromCarrier } from "./trace-context.js";

/**
 * The MetaData.headers keys Statehouse writes itself: `traceparent` (and `tracestate` when the
 * trace has one), as string values, so every reader of the meta (GetState, read sides, the log,
 * subscriptions) sees which command's trace an event belongs to. Plain headers rather than
 * entries of `data` (an Any), which a JSON handler could not decode without the wrapper types.
 */
export const TRACE_META_KEYS: readonly string[] = [TRACEPARENT, TRACESTATE];

/** The meta headers for a span (none without one). */
export function traceMetaHeaders(t: TraceContext | undefined): Header[] {
  if (t === undefined) return [];
  return Object.entries(carrierOf(t)).map(([key, value]) => create(HeaderSchema, { key, value: { case: "stringValue", value } }));
}

/** The trace an event's meta headers carry, when they carry a valid one. */
export function traceFromMeta(headers: readonly Header[]): TraceContext | undefined {
  const text = (key: string) => {
    const h = headers.find((x) => x.key === key);
    return h?.value.case === "stringValue" ? h.value.value : undefined;
  };
  return traceFromCarrier({ traceparent: text(TRACEPARENT), tracestate: text(TRACESTATE) });
}
