// Refuses a request path whose percent-encodings do not decode to well-formed UTF-8: ids and types are well-formed Unicode.
import type { MiddlewareHandler } from "hono";
import { StatehouseError } from "../errors.js";
import type { FrontEnv } from "./front-env.js";

/**
 * Answers invalid_argument for a path with a segment that does not percent-decode (`%zz`) or
 * decodes to bytes that are not well-formed UTF-8 (`%FF`, a surrogate's `%ED%A0%80`). Hono's
 * path parameters keep such a segment as literal text, so `alias-a%FFb` would otherwise become
 * an entity id, a document id or a type of its own.
 */
export function wellFormedPath(): MiddlewareHandler<FrontEnv> {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.includes("%")) {
      for (const segment of path.split("/")) {
        if (!decodes(segment)) {
          throw new StatehouseError("invalid_argument", `path segment ${segment} is not well-formed percent-encoded UTF-8: ids and types must be well-formed Unicode`);
        }
      }
    }
    await next();
  };
}

function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
