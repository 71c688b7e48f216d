// sseResponse when the client goes away: a stream the client cancelled while the next event was
// being produced ends quietly, without an `internal` error logged or counted.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type SseEvent, sseResponse } from "../../src/front/sse.js";

afterEach(() => vi.restoreAllMocks());

describe("sseResponse", () => {
  it("ends quietly when the client cancels while an event is on its way", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    async function* events(): AsyncGenerator<SseEvent> {
      await gate;
      yield { id: "1", event: "event", data: "{}" };
    }
    const abort = new AbortController();
    const reader = (sseResponse(events(), { abort, heartbeatMs: 60_000 }).body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain(": stream open");
    const next = reader.read();
    await reader.cancel();
    release();
    await next;
    await new Promise((r) => setTimeout(r, 10));
    expect(abort.signal.aborted).toBe(true);
    expect(errors).not.toHaveBeenCalled();
  });

  it("still reports a producer's failure to a client that is there", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    async function* events(): AsyncGenerator<SseEvent> {
      yield* [];
      throw new Error("boom");
    }
    const text = await new Response(sseResponse(events(), { abort: new AbortController(), heartbeatMs: 60_000 }).body).text();
    expect(text).toContain('event: error\ndata: {"code":"internal"');
  });
});
