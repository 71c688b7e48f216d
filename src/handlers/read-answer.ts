// Reads a handler's answer whole, within its caps: Content-Length, envelope lengths, bytes read.
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
 * The content-encodings an answer's bytes arrive decoded from: workerd's fetch asks for none, but
 * decodes gzip and br when a handler sends them anyway (keeping the header); deflate and unknown
 * encodings pass through as sent, so their bytes are not the message.
 */
const DECODED_ENCODINGS = new Set(["", "identity", "gzip", "br"]);

/**
 * The body of `res`, read whole. An encoding the runtime did not decode fails at once, unread (as
 * connect-es's Connect transport refused any); a Content-Length over MAX_ANSWER_BYTES too; a body
 * without one, or decoded (its Content-Length counts the encoded bytes: a gzip bomb), is read
 * chunk by chunk and fails once it passes the limit; an enveloped answer (gRPC-Web, Connect
 * streaming) fails as soon as an envelope announces more. The check comes
 * before connect-es sees the body: its envelope decoder allocates the announced length up front,
 * and a text answer read as gRPC-Web announces ~1.7 GB, which blocks the isolate for seconds where
 * no deadline can interrupt it. The deadline needs nothing here: callers pass it as the fetch's
 * signal, which errors the body.
 */
export async function readAnswer(res: Response, what: string): Promise<Uint8Array> {
  const encoding = (res.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (!DECODED_ENCODINGS.has(encoding)) {
    res.body?.cancel().catch(() => undefined);
    throw invalidAnswer(what, `unsupported content-encoding "${res.headers.get("content-encoding")}"`);
  }
  const lengthHeader = res.headers.get("content-length");
  const length = Number(lengthHeader ?? 0);
  if (length > MAX_ANSWER_BYTES) {
    // A body we will not read; if it already failed there is nothing left to release.
    res.body?.cancel().catch(() => undefined);
    throw invalidAnswer(what, `Content-Length ${length} is over the limit of ${MAX_ANSWER_BYTES} bytes`);
  }
  if (res.body === null || NULL_BODY_STATUSES.has(res.status)) return new Uint8Array();
  const scan = isEnveloped(res.headers.get("content-type")) ? createEnvelopeScanner(what) : undefined;
  // A decoded body is longer than its Content-Length, which counts the encoded bytes.
  const decoded = encoding !== "" && encoding !== "identity";
  if (lengthHeader === null || scan !== undefined || decoded) return readCapped(res.body, what, scan);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (bytes.byteLength > MAX_ANSWER_BYTES) throw overLimit(what);
  return bytes;
}

/**
 * A body of unknown length, or an enveloped one (gRPC-Web), read chunk by chunk until it ends,
 * passes the limit, or (`scan`) announces an envelope over it.
 */
async function readCapped(body: ReadableStream<Uint8Array>, what: string, scan?: (chunk: Uint8Array) => void): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_ANSWER_BYTES) {
      reader.cancel().catch(() => undefined);
      throw overLimit(what);
    }
    try {
      scan?.(value);
    } catch (err) {
      reader.cancel().catch(() => undefined);
      throw err;
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total);
}

/**
 * Reads envelope headers as an enveloped body's chunks arrive (a header may be split across
 * chunks) and throws as soon as one announces more than MAX_ANSWER_BYTES.
 */
function createEnvelopeScanner(what: string): (chunk: Uint8Array) => void {
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

function isEnveloped(contentType: string | null): boolean {
  const type = (contentType ?? "").toLowerCase();
  return type.startsWith("application/grpc") || type.startsWith("application/connect+");
}

function overLimit(what: string): StatehouseError {
  return invalidAnswer(what, `the body is over the limit of ${MAX_ANSWER_BYTES} bytes`);
}

function invalidAnswer(what: string, detail: string): StatehouseError {
  return new StatehouseError("internal", `${what} answered an invalid body: ${detail}`);
}

/** `chunks` (of `total` bytes in all) as one array. */
export function concatBytes(chunks: Uint8Array[], total: number): Uint8Array {
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}
