// EventSource resumes with the last id it saw; a stream "from now on" must give it one before the first event, or a drop loses events.
import { describe, expect, it } from "vitest";
import { call, freshId } from "../helpers.js";
import { commit, openSse, sseReader } from "./helpers.js";

/**
 * What an EventSource has seen of a stream when the connection drops right after it opened: the
 * last event ID set by the opening block (an `id:` field sets it even without data), if any.
 */
async function lastIdAfterOpening(res: Response): Promise<string | undefined> {
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n\n")) {
    const r = await reader.read();
    if (r.done) break;
    text += decoder.decode(r.value, { stream: true });
  }
  await reader.cancel();
  const opening = text.slice(0, text.indexOf("\n\n")).split("\n");
  return opening.find((l) => l.startsWith("id: "))?.slice(4);
}

/** The request EventSource makes when it reconnects: the same URL, with Last-Event-ID when it has one. */
const reconnectHeaders = (lastId: string | undefined): Record<string, string> => (lastId === undefined ? {} : { "last-event-id": lastId });

describe("an SSE stream dropped before its first event", { timeout: 30_000 }, () => {
  it("entity stream from now on: EventSource's reconnect gets the events committed while it was away", async () => {
    const id = freshId("sse-gap");
    await commit(id, [{ i: 1 }]);
    await commit(id, [{ i: 2 }]);
    const lastId = await lastIdAfterOpening(await openSse(id));
    // Committed while the client is disconnected.
    await commit(id, [{ i: 3 }]);
    const r = sseReader(await openSse(id, "", { headers: reconnectHeaders(lastId) }));
    try {
      await commit(id, [{ i: 4 }]);
      // A stream that restarted "from now on" would begin at 4.
      expect((await r.take(1)).map((e) => e.id)).toEqual(["3"]);
      expect((await r.take(1)).map((e) => e.id)).toEqual(["4"]);
    } finally {
      await r.close();
    }
  });

  it("log stream from now on: EventSource's reconnect gets the entries appended while it was away", async () => {
    /** Waits until entityId@revision is in the log. */
    const inLog = async (entityId: string, revision: number) => {
      for (let i = 0; i < 400; i++) {
        const body = (await (await call(`/api/v1/log?limit=1000`)).json()) as any;
        if (body.entries.some((x: any) => x.entity_id === entityId && x.revision === revision)) return;
        await new Promise((res) => setTimeout(res, 25));
      }
      throw new Error(`${entityId}@${revision} never reached the log`);
    };
    const e = freshId("log-gap");
    await commit(e, [{ i: 1 }]);
    await inLog(e, 1);
    const lastId = await lastIdAfterOpening(await call("/api/v1/log/stream"));
    // Appended while the client is disconnected.
    await commit(e, [{ i: 2 }]);
    await inLog(e, 2);
    const r = sseReader(await call("/api/v1/log/stream", { headers: reconnectHeaders(lastId) }));
    try {
      await commit(e, [{ i: 3 }]);
      /** The revision of the next entry of `e` the stream sends. */
      const nextOfMine = async () => {
        for (;;) {
          const [x] = await r.take(1);
          if (x === undefined) return undefined;
          if (x.data.entity_id === e) return x.data.revision as number;
        }
      };
      // A stream that restarted "from now on" would begin at revision 3.
      expect(await nextOfMine()).toBe(2);
      expect(await nextOfMine()).toBe(3);
    } finally {
      await r.close();
    }
  });
});
