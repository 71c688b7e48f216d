// Turns any failure into an honest HTTP answer: {code, message} JSON, or gRPC-Web status headers.
import type { Context } from "hono";
import { ERROR_CODES, StatehouseError, isUnexpected } from "../errors.js";
import { log } from "../log.js";
import { countError } from "../metrics/index.js";
import { encodeBase64 } from "../payload/index.js";

/** The JSON body of every error answer (Connect's unary error shape). */
export interface ErrorBody {
  code: string;
  message: string;
  details?: { type: string; value: string }[];
}

/** The error as the client sees it; a bug is logged here with its stack, never sent. */
export function errorResponse(c: Context, cause: unknown): Response {
  const err = StatehouseError.from(cause);
  countError(err.code);
  if (isUnexpected(cause)) log.error("statehouse: unexpected error", { code: err.code, method: c.req.method, path: c.req.path, error: cause });
  if ((c.req.header("content-type") ?? "").startsWith("application/grpc-web")) {
    return new Response(null, {
      status: 200,
      headers: {
        "content-type": c.req.header("content-type") ?? "application/grpc-web+proto",
        "grpc-status": String(ERROR_CODES[err.code].connect),
        "grpc-message": encodeURIComponent(err.message),
      },
    });
  }
  const body: ErrorBody = { code: err.code, message: err.message };
  if (err.details.length > 0) body.details = err.details.map((d) => ({ type: d.type, value: encodeBase64(d.value) }));
  return c.json(body, err.status as 400);
}
