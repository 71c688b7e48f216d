// The span the running code belongs to (an AsyncLocalStorage), and the runtime's span API when there is one.
import { AsyncLocalStorage } from "node:async_hooks";
import { type TraceContext, childOf, newTrace } from "./trace-context.js";

/** The part of a runtime span Statehouse uses (workerd's `Span` from `tracing` in cloudflare:workers). */
export interface RuntimeSpan {
  readonly isTraced: boolean;
  spanContext(): { traceId: string; spanId: string; traceFlags: number };
  setAttributes(attributes: Record<string, boolean | number | string | undefined>): unknown;
}

/** The part of the runtime's span API Statehouse uses (`tracing` from cloudflare:workers). */
export interface SpanApi {
  enterSpan<T>(name: string, callback: (span: RuntimeSpan) => T): T;
  getActiveSpan(): RuntimeSpan | undefined;
}

/** Attributes for a span: set on the runtime's span, and never required. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

const active = new AsyncLocalStorage<TraceContext>();
let runtime: SpanApi | undefined;

/**
 * Hands trace/ the runtime's span API (the Worker entry does, once). Without it spans are
 * Statehouse's own ids only; with it each span is also a span of Cloudflare's trace, named.
 */
export function installSpanApi(api: SpanApi | undefined): void {
  runtime = api !== undefined && typeof api.enterSpan === "function" && typeof api.getActiveSpan === "function" ? api : undefined;
}

/** The span the running code belongs to, if it runs inside one. */
export function activeTrace(): TraceContext | undefined {
  return active.getStore();
}

/**
 * A new trace for work that arrived without one: the runtime's active span's ids when it is
 * traced (so Statehouse's trace id is the one Cloudflare's dashboard shows), else random ids.
 */
export function startTrace(): TraceContext {
  const span = runtime?.getActiveSpan();
  if (span?.isTraced === true) {
    const c = span.spanContext();
    return newTrace({ traceId: c.traceId, spanId: c.spanId, flags: (c.traceFlags & 0xff).toString(16).padStart(2, "0") });
  }
  return newTrace();
}

/**
 * Runs `fn` in a new span: a child of `parent` (default: the active span; with neither, a new
 * trace), named `name` in the runtime's trace when the runtime has a span API. The span is the
 * active one for everything `fn` awaits, so log lines inside carry its ids. When the runtime's span
 * is traced and belongs to the same trace, its span id is used, so a handler's spans nest under
 * Cloudflare's.
 */
export function inSpan<T>(name: string, parent: TraceContext | undefined, attributes: SpanAttributes, fn: (span: TraceContext) => T): T {
  const from = parent ?? activeTrace();
  const enter = (runtimeSpan: RuntimeSpan | undefined): T => {
    const ctx = spanFor(from, runtimeSpan);
    runtimeSpan?.setAttributes({ ...attributes, "statehouse.trace_id": ctx.traceId, "statehouse.span_id": ctx.spanId });
    return active.run(ctx, () => fn(ctx));
  };
  return runtime === undefined ? enter(undefined) : runtime.enterSpan(name, enter);
}

function spanFor(parent: TraceContext | undefined, runtimeSpan: RuntimeSpan | undefined): TraceContext {
  const own = runtimeSpan?.isTraced === true ? runtimeSpan.spanContext() : undefined;
  if (parent === undefined) return own === undefined ? startTrace() : newTrace({ traceId: own.traceId, spanId: own.spanId });
  return childOf(parent, own !== undefined && own.traceId === parent.traceId ? own.spanId : undefined);
}
