// Request bodies: a size cap, and every answer sent only after the request body was read.
//
// A server that answers before reading the body leaves an HTTP/1.1 client still writing it; the
// connection is then closed under the client, which sees EPIPE or ECONNRESET instead of the answer
// (reproduced over `npm run dev` with connect-node: 2 to 20 MB requests lost the 413 in up to 17 of
// 20). curl hides this: it sends `Expect: 100-continue` for large bodies. So the door reads and
// drops what nobody read, up to DRAIN_MAX_BYTES, before it answers.
import type { Context, MiddlewareHandler } from "hono";

/** The most bytes read and dropped after an answer that did not need the body; past it the connection is closed. */
export const DRAIN_MAX_BYTES = 32 * 1024 * 1024;

/** Reads the body into memory up to maxBytes; past that, drains it and answers with tooLarge. */
export function bodyLimit(maxBytes: number, tooLarge: (c: Context) => Response): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.raw.headers.has("transfer-encoding") ? null : c.req.header("content-length");
    if (declared != null && Number(declared) <= maxBytes) return next();
    const reader = body.getReader();
    if (declared != null) {
      await drain(reader, DRAIN_MAX_BYTES);
      return tooLarge(c);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await drain(reader, DRAIN_MAX_BYTES - size);
        return tooLarge(c);
      }
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: concat(chunks, size) });
    return next();
  };
}

/** After the answer is built, reads and drops a request body nothing read (a 401, a 404, an early error). */
export function drainUnreadBody(): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.raw;
    await next();
    if (raw.body && !raw.bodyUsed && !raw.body.locked) await drain(raw.body.getReader(), DRAIN_MAX_BYTES);
  };
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number): Promise<void> {
  let left = maxBytes;
  try {
    while (left > 0) {
      const { done, value } = await reader.read();
      if (done) return;
      left -= value.byteLength;
    }
    await reader.cancel("request body larger than the door drains");
  } catch {
    // The client went away: nothing to answer.
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
