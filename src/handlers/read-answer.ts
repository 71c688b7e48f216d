// Caps the size of a handler's answer before any client buffers it: Content-Length, envelope lengths, bytes.
import { StatehouseError } from "../errors.js";

/**
 * Largest answer a handler may send: 4 MiB. A journal row holds at most 2 MB (event, state and
 * meta; MAX_ROW_BYTES in entity/), and one HandleCommand answer may carry several events while a
 * HandleEvent answer carries a whole state, so an honest answer stays within a few MB. Anything
 * larger is garbage or a runaway handler, and is refused before it is buffered.
 */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** gRPC-Web and Connect streaming frame each message: 1 flag byte, then a 4-byte big-endian length. */
const ENVELOPE_HEADER_BYTES = 5;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Returns `res` with a body that fails, as an invalid answer from `what`, once it exceeds
 * MAX_ANSWER_BYTES or once an envelope announces more than that; a Content-Length over the limit
 * fails at once, unread. The check must come before connect-es sees the body: its envelope
 * decoder allocates the announced length up front, and a text answer read as gRPC-Web announces
 * ~1.7 GB, which blocks the isolate for seconds where no deadline can interrupt it.
 * The deadline needs nothing here: callers pass it as the fetch's signal, which errors the body.
 */
export function limitAnswer(res: Response, what: string): Response {
  const length = Number(res.headers.get("content-length") ?? 0);
  if (length > MAX_ANSWER_BYTES) {
    // A body we will not read; if it already failed there is nothing left to release.
    res.body?.cancel().catch(() => undefined);
    throw invalidAnswer(what, `Content-Length ${length} is over the limit of ${MAX_ANSWER_BYTES} bytes`);
  }
  if (res.body === null || NULL_BODY_STATUSES.has(res.status)) return res;
  const body = res.body.pipeThrough(createLimitStream(isEnveloped(res.headers.get("content-type")), what));
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/** A stream that passes bytes through while counting them and reading envelope headers. */
function createLimitStream(enveloped: boolean, what: string): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  const scan = enveloped ? createEnvelopeScanner(what) : undefined;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > MAX_ANSWER_BYTES) throw invalidAnswer(what, `the body is over the limit of ${MAX_ANSWER_BYTES} bytes`);
      scan?.(chunk);
      controller.enqueue(chunk);
    },
  });
}

/**
 * Reads envelope headers as an enveloped body's chunks arrive (a header may be split across
 * chunks) and throws as soon as one announces more than MAX_ANSWER_BYTES.
 */
export function createEnvelopeScanner(what: string): (chunk: Uint8Array) => void {
  const header = new Uint8Array(ENVELOPE_HEADER_BYTES);
  let headerFill = 0;
  let payloadLeft = 0;
  return (chunk) => {
    for (let i = 0; i < chunk.byteLength; ) {
      if (payloadLeft > 0) {
        const skip = Math.min(payloadLeft, chunk.byteLength - i);
        payloadLeft -= skip;
        i += skip;
        continue;
      }
      header[headerFill++] = chunk[i++]!;
      if (headerFill < ENVELOPE_HEADER_BYTES) continue;
      headerFill = 0;
      payloadLeft = new DataView(header.buffer).getUint32(1);
      if (payloadLeft > MAX_ANSWER_BYTES) {
        throw invalidAnswer(what, `an envelope announces ${payloadLeft} bytes, over the limit of ${MAX_ANSWER_BYTES}`);
      }
    }
  };
}

export function isEnveloped(contentType: string | null): boolean {
  const type = (contentType ?? "").toLowerCase();
  return type.startsWith("application/grpc") || type.startsWith("application/connect+");
}

export function invalidAnswer(what: string, detail: string): StatehouseError {
  return new StatehouseError("internal", `${what} answered an invalid body: ${detail}`);
}
