// Request bodies: a size cap, and every answer sent only after the request body was read.
//
// A server that answers before reading the body leaves an HTTP/1.1 client still writing it; the
// connection is then closed under the client, which sees EPIPE or ECONNRESET instead of the answer
// (reproduced over `npm run dev` with connect-node: 2 to 20 MB requests lost the 413 in up to 17 of
// 20). curl hides this: it sends `Expect: 100-continue` for large bodies. So the door reads and
// drops what nobody read before it answers, within bounds: DRAIN_MAX_BYTES in all, and no longer
// than DRAIN_IDLE_MS without a byte or DRAIN_MAX_MS in all (a stalled upload does not hold the answer).
import type { Context, MiddlewareHandler } from "hono";

/** The most bytes read and dropped after an answer that did not need the body; past it the connection is closed. */
export const DRAIN_MAX_BYTES = 32 * 1024 * 1024;
/** A drain stops when the client sent nothing for this long. */
export const DRAIN_IDLE_MS = 1_000;
/** A drain stops after this long in all. */
export const DRAIN_MAX_MS = 10_000;

/**
 * Reads the whole body into memory, counting what arrives (a Content-Length is not trusted: a
 * Service Binding caller can send more than it declares), up to maxBytes; past that, drains the
 * rest and answers with tooLarge. Handlers then read a body that is already in memory, so none of
 * them can stop halfway through the client's upload.
 */
export function bodyLimit(maxBytes: number, tooLarge: (c: Context) => Response): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.raw.headers.has("transfer-encoding") ? null : c.req.header("content-length");
    const reader = body.getReader();
    if (declared != null && Number(declared) > maxBytes) {
      // Past what the door drains, the connection is closed anyway: no use reading any of it.
      if (Number(declared) <= DRAIN_MAX_BYTES) await drain(reader, DRAIN_MAX_BYTES);
      else await cancel(reader);
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

/** After the answer is built, reads and drops a request body nothing read (a 401 or a 400 from before bodyLimit). */
export function drainUnreadBody(): MiddlewareHandler {
  return async (c, next) => {
    const raw = c.req.raw;
    await next();
    if (!raw.body || raw.bodyUsed || raw.body.locked) return;
    const reader = raw.body.getReader();
    if (Number(raw.headers.get("content-length") ?? 0) > DRAIN_MAX_BYTES) await cancel(reader);
    else await drain(reader, DRAIN_MAX_BYTES);
  };
}

/** Reads and drops up to maxBytes, stopping early when the client pauses DRAIN_IDLE_MS or DRAIN_MAX_MS pass. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number): Promise<void> {
  const deadline = Date.now() + DRAIN_MAX_MS;
  let left = maxBytes;
  try {
    while (left > 0) {
      const wait = Math.min(DRAIN_IDLE_MS, deadline - Date.now());
      if (wait <= 0) break;
      const r = await readWithin(reader, wait);
      if (r === "timeout") break;
      if (r.done) return;
      left -= r.value.byteLength;
    }
  } catch {
    // The client went away: nothing more to read.
    return;
  }
  await cancel(reader);
}

async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<ReadableStreamReadResult<Uint8Array> | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([reader.read(), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

async function cancel(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  await reader.cancel("the door answered without reading the rest of the request body").catch(() => undefined);
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
