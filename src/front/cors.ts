// CORS for browser pages on other origins (STATEHOUSE_CORS_ORIGINS): hono's cors middleware with Connect's header lists.
import { cors as connectCors } from "@connectrpc/connect";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { type Config, loadConfig } from "../config/index.js";
import { EXPECTED_REVISION_HEADER, IDEMPOTENCY_KEY_HEADER } from "../input/index.js";
import { TRACESTATE, TRACEPARENT } from "../trace/index.js";
import { SUBSCRIPTION_ID_HEADER } from "./stream-api.js";
import { TRACERESPONSE } from "./trace-request.js";

/** Headers a page may send beyond Connect's: the token, the trace, the JSON API's and the streams' own. */
const REQUEST_HEADERS = [
  "authorization",
  TRACEPARENT,
  TRACESTATE,
  "if-match",
  "last-event-id",
  IDEMPOTENCY_KEY_HEADER,
  EXPECTED_REVISION_HEADER,
];

/** Headers a page may read beyond Connect's: the document version, a stream's subscription id, the request's span. */
const RESPONSE_HEADERS = ["etag", SUBSCRIPTION_ID_HEADER, TRACERESPONSE];

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_S = 600;

const byConfig = new WeakMap<Config, MiddlewareHandler | null>();

/**
 * Answers cross-origin requests from STATEHOUSE_CORS_ORIGINS on every route: the allowed origin is
 * echoed in Access-Control-Allow-Origin, any other origin gets none (the browser then hides the
 * answer). Preflights (OPTIONS) are answered here, before authentication, since a browser sends
 * them without the Authorization header. No credentials mode: tokens travel as headers, stream
 * tokens as `?access_token=`, never as cookies. With the list empty (the default) this does nothing.
 */
export function corsForOrigins(): MiddlewareHandler<{ Bindings: Env }> {
  return (c, next) => {
    let config: Config;
    try {
      config = loadConfig(c.env);
    } catch {
      // The routes after this answer the configuration's error (and /healthz reports it).
      return next();
    }
    let handler = byConfig.get(config);
    if (handler === undefined) {
      handler = createCors(config);
      byConfig.set(config, handler);
    }
    return handler === null ? next() : handler(c, next);
  };
}

function createCors(config: Config): MiddlewareHandler | null {
  if (config.corsOrigins.length === 0) return null;
  return cors({
    origin: config.corsOrigins.includes("*") ? "*" : [...config.corsOrigins],
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    // The headers the user's write handler receives (COS_WRITE_SIDE_PROPAGATED_HEADERS) may come from a page too.
    allowHeaders: unique([...connectCors.allowedHeaders, ...REQUEST_HEADERS, ...config.propagatedHeaders]),
    exposeHeaders: unique([...connectCors.exposedHeaders, ...RESPONSE_HEADERS]),
    maxAge: PREFLIGHT_MAX_AGE_S,
    credentials: false,
  });
}

function unique(names: string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase()))];
}
