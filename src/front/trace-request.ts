// Every request through the front door runs in a span of the caller's W3C trace, or of a new one.
import type { MiddlewareHandler } from "hono";
import { formatTraceparent, inSpan, traceFromHeaders } from "../trace/index.js";

/** The response header naming the request's span (W3C Trace Context Level 2), so a caller that sent no trace learns its id. */
export const TRACERESPONSE = "traceresponse";

/**
 * Continues the trace of the request's `traceparent`/`tracestate` (checked as W3C Trace Context
 * says; an invalid one is ignored, never refused) in a child span, or starts a trace, and runs the
 * rest of the request in that span: commands carry it to their entity, log lines name it.
 */
export function traceRequests(): MiddlewareHandler {
  return (c, next) =>
    inSpan("statehouse.request", traceFromHeaders(c.req.raw.headers), { "url.path": c.req.path }, async (span) => {
      await next();
      c.res.headers.set(TRACERESPONSE, formatTraceparent(span));
    });
}
