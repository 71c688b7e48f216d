// Bearer-token authentication: tokens from the STATEHOUSE_API_TOKENS secret, compared in constant time.
import type { MiddlewareHandler } from "hono";
import { loadConfig } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import { errorResponse } from "./error-response.js";

const encoder = new TextEncoder();

/**
 * Requires `Authorization: Bearer <token>` matching one of the configured tokens, unless
 * STATEHOUSE_AUTH is "off". Tokens are hashed before comparison so lengths leak nothing, compared
 * with timingSafeEqual, and never logged.
 */
export function bearerAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const config = loadConfig(c.env);
    if (!config.auth.enabled) return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) {
      return errorResponse(
        c,
        new StatehouseError("unauthenticated", "missing bearer token: send Authorization: Bearer <token>"),
      );
    }
    if (!(await anyTokenMatches(match[1] as string, config.auth.tokens))) {
      return errorResponse(c, new StatehouseError("unauthenticated", "invalid bearer token"));
    }
    return next();
  };
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
