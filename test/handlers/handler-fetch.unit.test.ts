// The handler fetch caps an answer's size: Content-Length, envelope lengths and bytes read.
import { describe, expect, it } from "vitest";
import { MAX_ANSWER_BYTES, createHandlerFetch } from "../../src/handlers/index.js";

const MB = 1024 * 1024;

/** A handler answering `chunks` (read on demand, so a test sees whether they were read). */
function answer(chunks: Uint8Array[], headers: Record<string, string>) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        seen.pulled += 1;
        const next = chunks.shift();
        if (next === undefined) c.close();
        else c.enqueue(next);
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const handlerFetch = createHandlerFetch(async () => new Response(body, { status: 200, headers }), "write handler");
  const fetchFn = () => handlerFetch("http://handler.test/", { method: "POST", headers: {} });
  return { fetchFn, seen };
}

function envelope(length: number, payload = new Uint8Array()): Uint8Array {
  const bytes = new Uint8Array(5 + payload.byteLength);
  new DataView(bytes.buffer).setUint32(1, length);
  bytes.set(payload, 5);
  return bytes;
}

async function failure(p: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message?: string };
  }
  throw new Error("expected a failure");
}

describe("createHandlerFetch reads an answer within its caps", () => {
  it("passes an answer within the limit through unchanged", async () => {
    const { fetchFn } = answer([envelope(3, new Uint8Array([1, 2, 3])), envelope(0)], { "content-type": "application/grpc-web+proto" });
    const res = await fetchFn();
    expect([...res.body]).toEqual([0, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0]);
  });

  it("refuses a Content-Length over the limit without reading the body", async () => {
    const { fetchFn, seen } = answer([new Uint8Array(1)], { "content-type": "application/proto", "content-length": String(MAX_ANSWER_BYTES + 1) });
    const err = await failure(fetchFn());
    expect(err.code).toBe("internal");
    expect(err.message).toBe(`write handler answered an invalid body: Content-Length ${MAX_ANSWER_BYTES + 1} is over the limit of ${MAX_ANSWER_BYTES} bytes`);
    expect(seen.pulled).toBe(0);
    expect(seen.cancelled).toBe(true);
  });

  it("refuses a Connect streaming envelope announcing more than the limit", async () => {
    const { fetchFn } = answer([envelope(MAX_ANSWER_BYTES + 1)], { "content-type": "application/connect+proto" });
    const err = await failure(fetchFn());
    expect(err.code).toBe("internal");
    expect(err.message).toMatch(/^write handler answered an invalid body: an envelope announces 4194305 bytes/);
  });

  it("reads an envelope header split across chunks, after a complete envelope", async () => {
    const big = envelope(1.7e9);
    const { fetchFn } = answer([envelope(2, new Uint8Array([7])), new Uint8Array([8, big[0]!, big[1]!]), big.subarray(2)], {
      "content-type": "application/grpc-web+proto",
    });
    const err = await failure(fetchFn());
    expect(err.message).toMatch(/^write handler answered an invalid body: an envelope announces 1700000000 bytes/);
  });

  it("refuses a body without Content-Length that grows past the limit", async () => {
    const { fetchFn } = answer([1, 2, 3, 4, 5].map(() => new Uint8Array(MB)), { "content-type": "application/json" });
    const err = await failure(fetchFn());
    expect(err.code).toBe("internal");
    expect(err.message).toBe(`write handler answered an invalid body: the body is over the limit of ${MAX_ANSWER_BYTES} bytes`);
  });

  it("does not read envelopes in a body that is not enveloped", async () => {
    const text = new TextEncoder().encode("this is not a handler answer");
    const { fetchFn } = answer([text], { "content-type": "application/json" });
    expect(new TextDecoder().decode((await fetchFn()).body)).toBe("this is not a handler answer");
  });

  it("fails a non-2xx answer that is not a JSON error body with its status", async () => {
    const handlerFetch = createHandlerFetch(async () => new Response("upstream down", { status: 503, headers: { "content-type": "text/plain" } }), "write handler");
    const err = await failure(handlerFetch("http://handler.test/", { method: "POST", headers: {} }));
    expect([err.code, err.message]).toEqual(["unavailable", "write handler answered HTTP 503: upstream down"]);
  });

  it("is unavailable, naming the handler, when the answer breaks off in the middle", async () => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent) c.error(new TypeError("terminated"));
        else c.enqueue(new Uint8Array([1, 2, 3]));
        sent = true;
      },
    });
    const handlerFetch = createHandlerFetch(async () => new Response(body, { status: 200, headers: { "content-type": "application/proto" } }), "write handler");
    const err = await failure(handlerFetch("http://handler.test/", { method: "POST", headers: {} }));
    expect([err.code, err.message]).toEqual(["unavailable", "write handler broke off its answer: terminated"]);
  });

  it("refuses an answer in a content-encoding the runtime does not decode, unread", async () => {
    for (const encoding of ["deflate", "snappy", "gzip, br"]) {
      const { fetchFn, seen } = answer([new Uint8Array([1])], { "content-type": "application/proto", "content-encoding": encoding });
      const err = await failure(fetchFn());
      expect([err.code, err.message]).toEqual(["internal", `write handler answered an invalid body: unsupported content-encoding "${encoding}"`]);
      expect(seen.pulled).toBe(0);
    }
    for (const encoding of ["identity", "gzip", "GZIP", "br"]) {
      const { fetchFn } = answer([new Uint8Array([1])], { "content-type": "application/proto", "content-encoding": encoding });
      expect([...(await fetchFn()).body]).toEqual([1]);
    }
  });

  it("stops reading a decoded answer once it passes the limit, whatever its Content-Length (of the encoded bytes) says", async () => {
    // A gzip bomb: 64 MiB decoded from a few kilobytes; the runtime decodes it as it is read.
    const { fetchFn, seen } = answer(
      Array.from({ length: 64 }, () => new Uint8Array(MB)),
      { "content-type": "application/proto", "content-encoding": "gzip", "content-length": "65000" },
    );
    const err = await failure(fetchFn());
    expect([err.code, err.message]).toEqual(["internal", `write handler answered an invalid body: the body is over the limit of ${MAX_ANSWER_BYTES} bytes`]);
    expect(seen.pulled).toBeLessThanOrEqual(6);
    expect(seen.cancelled).toBe(true);
  });

  it("is unavailable, naming the handler, when the request gets no answer", async () => {
    const handlerFetch = createHandlerFetch(async () => Promise.reject(new TypeError("connection refused")), "write handler");
    const err = await failure(handlerFetch("http://handler.test/", { method: "POST", headers: {} }));
    expect([err.code, err.message]).toEqual(["unavailable", "write handler is unreachable: connection refused"]);
  });
});
