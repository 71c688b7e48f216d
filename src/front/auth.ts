// Bearer-token authentication: tokens from the STATEHOUSE_API_TOKENS secret, compared in constant time.
import type { Context, MiddlewareHandler, Next } from "hono";
import { loadConfig } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import { errorResponse } from "./error-response.js";
import { verifyStreamToken } from "./stream-token.js";

const encoder = new TextEncoder();

/** Paths of the admin API (HTTP JSON and Connect), which take admin tokens instead of API tokens. */
export const ADMIN_PATH_PREFIXES = ["/admin/", "/chief_of_state.v1.ReadSideManagerService/", "/statehouse.v1.ReadSideAdminService/"];

/** Single paths that take admin tokens: the Prometheus scrape. */
export const ADMIN_PATHS = ["/metrics"];

/** Whether a path belongs to the admin API. */
export function isAdminPath(path: string): boolean {
  return ADMIN_PATHS.includes(path) || ADMIN_PATH_PREFIXES.some((p) => path.startsWith(p));
}

/**
 * Whether a path is one of the stream endpoints (`/api/v1/log/stream`, `/api/v1/entities/{id}/events/stream`):
 * the only places `?access_token=` is read. Not any path ending in /stream: an entity id or a
 * consumer id may end so, and those reads are not streams.
 */
export function isStreamPath(path: string): boolean {
  return path === "/api/v1/log/stream" || /^\/api\/v1\/entities\/.+\/events\/stream$/.test(path);
}

/**
 * Requires `Authorization: Bearer <token>` matching one of the configured tokens, unless
 * STATEHOUSE_AUTH is "off". Tokens are hashed before comparison so lengths leak nothing, compared
 * with timingSafeEqual, and never logged. Admin paths are left to adminAuth. A GET stream
 * endpoint without the header may instead carry `?access_token=<stream token>` (EventSource
 * cannot send headers); a long-lived API token there is refused.
 */
export function bearerAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    if (isAdminPath(c.req.path)) return next();
    const config = loadConfig(c.env);
    if (!config.auth.enabled) return next();
    const queryToken = c.req.query("access_token");
    if (queryToken !== undefined && c.req.method === "GET" && isStreamPath(c.req.path) && c.req.header("authorization") === undefined) {
      return checkStreamToken(c, queryToken, config.auth.tokens, next);
    }
    return checkBearer(c, config.auth.tokens, "", next);
  };
}

async function checkStreamToken(c: Context, token: string, apiTokens: readonly string[], next: Next): Promise<Response | void> {
  if (await anyTokenMatches(token, apiTokens)) {
    return errorResponse(
      c,
      new StatehouseError(
        "unauthenticated",
        "an API token is not accepted in a URL (URLs end up in logs and histories): mint a short-lived stream token with POST /api/v1/stream-tokens and pass that as access_token",
      ),
    );
  }
  try {
    await verifyStreamToken(token, apiTokens);
  } catch (cause) {
    return errorResponse(c, cause);
  }
  return next();
}

/**
 * The same check for the admin API, against STATEHOUSE_ADMIN_TOKENS. With STATEHOUSE_AUTH "off"
 * (local dev) the admin API is open too; with auth on and no admin token it is closed.
 */
export function adminAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const config = loadConfig(c.env);
    if (!config.auth.enabled) return next();
    if (config.adminTokens.length === 0) {
      return errorResponse(c, new StatehouseError("unauthenticated", "the admin API is closed: set the STATEHOUSE_ADMIN_TOKENS secret"));
    }
    return checkBearer(c, config.adminTokens, "admin ", next);
  };
}

async function checkBearer(c: Context, tokens: readonly string[], kind: string, next: Next): Promise<Response | void> {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) {
    return errorResponse(
      c,
      new StatehouseError("unauthenticated", `missing ${kind}bearer token: send Authorization: Bearer <token>`),
    );
  }
  if (!(await anyTokenMatches(match[1] as string, tokens))) {
    return errorResponse(c, new StatehouseError("unauthenticated", `invalid ${kind}bearer token`));
  }
  return next();
}

async function anyTokenMatches(presented: string, tokens: readonly string[]): Promise<boolean> {
  const digest = await sha256(presented);
  let matched = false;
  for (const token of tokens) {
    // Every token is compared, so the time taken does not say which one matched.
    if (crypto.subtle.timingSafeEqual(digest, await sha256(token))) matched = true;
  }
  return matched;
}

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(text));
}
