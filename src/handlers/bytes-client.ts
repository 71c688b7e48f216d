// The HTTP client connect-es's protocol transports call: one fetch with the whole body, the answer read whole and capped.
import type { UniversalClientFn } from "@connectrpc/connect/protocol";
import { StatehouseError, codeFromHttpStatus } from "../errors.js";
import type { FetchFn } from "./handler-fetch.js";
import { MAX_ANSWER_BYTES, createEnvelopeScanner, invalidAnswer, isEnveloped } from "./read-answer.js";

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const decoder = new TextDecoder();

/**
 * A UniversalClientFn over `send` (the handler's request fetch: redirects refused, transport
 * failures named, signing) for handler calls, which are unary: the request goes out as one
 * Uint8Array and the answer is read whole, so no stream sits between the call and the bytes.
 * The same limits as limitAnswer: a Content-Length over MAX_ANSWER_BYTES fails unread, a body
 * without one is read chunk by chunk and fails once it passes the limit, a body is checked by its
 * byteLength, and an enveloped answer (gRPC-Web) fails as soon as an envelope announces more. A
 * non-2xx answer that is not a JSON error body fails with its status, as createHandlerFetch does.
 * The deadline is the request's signal, which fetch also applies to reading the body.
 */
export function createBytesClient(send: FetchFn, what: string): UniversalClientFn {
  return async (req) => {
    const body = req.body === undefined ? undefined : await allBytes(req.body);
    const res = await send(req.url, { method: req.method, headers: req.header, body, signal: req.signal });
    const bytes = await readAnswer(res, what);
    if (!res.ok && !(res.headers.get("content-type") ?? "").includes("json")) {
      const text = decoder.decode(bytes);
      throw new StatehouseError(codeFromHttpStatus(res.status), `${what} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
    }
    return { status: res.status, header: res.headers, body: once(bytes), trailer: new Headers() };
  };
}

async function readAnswer(res: Response, what: string): Promise<Uint8Array> {
  const lengthHeader = res.headers.get("content-length");
  const length = Number(lengthHeader ?? 0);
  if (length > MAX_ANSWER_BYTES) {
    // A body we will not read; if it already failed there is nothing left to release.
    res.body?.cancel().catch(() => undefined);
    throw invalidAnswer(what, `Content-Length ${length} is over the limit of ${MAX_ANSWER_BYTES} bytes`);
  }
  if (res.body === null || NULL_BODY_STATUSES.has(res.status)) return new Uint8Array();
  const scan = isEnveloped(res.headers.get("content-type")) ? createEnvelopeScanner(what) : undefined;
  if (lengthHeader === null || scan !== undefined) return readCapped(res.body, what, scan);
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
  return chunks.length === 1 ? chunks[0]! : concat(chunks, total);
}

function overLimit(what: string): StatehouseError {
  return invalidAnswer(what, `the body is over the limit of ${MAX_ANSWER_BYTES} bytes`);
}

async function allBytes(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  return chunks.length === 1 ? chunks[0]! : concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** The answer as the one-chunk iterable connect-es reads. */
function once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      let done = false;
      return {
        next: () => {
          if (done) return Promise.resolve({ done: true, value: undefined });
          done = true;
          return Promise.resolve({ done: false, value: bytes });
        },
      };
    },
  };
}
