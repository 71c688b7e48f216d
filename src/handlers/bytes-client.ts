// The HTTP client connect-es's protocol transports call: one handler fetch with the whole body, the answer as one chunk.
import type { UniversalClientFn } from "@connectrpc/connect/protocol";
import type { HandlerFetch } from "./handler-fetch.js";
import { concatBytes } from "./read-answer.js";

/**
 * A UniversalClientFn over the handler fetch, for handler calls, which are unary: the request
 * goes out as one Uint8Array and the answer, already read whole and capped, comes back as one
 * chunk, so no stream sits between the call and the bytes.
 */
export function createBytesClient(fetch: HandlerFetch): UniversalClientFn {
  return async (req) => {
    const body = req.body === undefined ? undefined : await allBytes(req.body);
    const res = await fetch(req.url, { method: req.method, headers: req.header, body, signal: req.signal });
    return { status: res.status, header: res.headers, body: once(res.body), trailer: new Headers() };
  };
}

async function allBytes(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total);
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
