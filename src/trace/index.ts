// Public surface of trace/: W3C Trace Context in and out, and the span the running code belongs to.
export {
  TRACEPARENT,
  TRACESTATE,
  type TraceCarrier,
  type TraceContext,
  carrierOf,
  childOf,
  formatTraceparent,
  newTrace,
  parseTraceparent,
  parseTracestate,
  traceFromCarrier,
  traceFromHeaders,
  withTraceHeaders,
} from "./trace-context.js";
export { type RuntimeSpan, type SpanApi, type SpanAttributes, activeTrace, inSpan, installSpanApi, startTrace } from "./active-trace.js";
export { TRACE_META_KEYS, traceFromMeta, traceMetaHeaders } from "./meta-headers.js";
