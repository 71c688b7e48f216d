// A client that goes away is not an error: the SSE stream stops its producer and logs nothing.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type SseEvent, sseResponse } from "../../src/front/sse.js";

/** A producer that yields one event when `release` is called, and ends with an AbortError once aborted (as the live feeds do). */
function producer(signal: AbortSignal) {
  let release: () => void = () => undefined;
  const next = new Promise<void>((resolve) => {
    release = resolve;
  });
  async function* events(): AsyncGenerator<SseEvent> {
    await next;
    signal.throwIfAborted();
    yield { id: "1", event: "event", data: "{}" };
    await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
  }
  return { events: events(), release };
}

describe("an SSE stream whose client went away", () => {
  afterEach(() => vi.restoreAllMocks());

  it("drops the event it was producing and logs no error", async () => {
    const errors = vi.spyOn(console, "error");
    const abort = new AbortController();
    const { events, release } = producer(abort.signal);
    const res = sseResponse(events, { abort, heartbeatMs: 60_000 });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(": stream open\n\n");
    const pending = reader.read();
    // The request's signal fires (workerd saw the connection close) while the producer waits.
    abort.abort(new DOMException("the client went away", "AbortError"));
    release();
    await new Promise((r) => setTimeout(r, 50));
    void pending.catch(() => undefined);
    await reader.cancel();
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });

  it("still reports a producer's own failure as an error event", async () => {
    const abort = new AbortController();
    async function* failing(): AsyncGenerator<SseEvent> {
      throw new Error("boom");
    }
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const text = await sseResponse(failing(), { abort, heartbeatMs: 60_000 }).text();
    expect(text).toContain('event: error\ndata: {"code":"internal"');
    expect(abort.signal.aborted).toBe(true);
  });
});
