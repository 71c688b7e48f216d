// Server-Sent Events of one entity: friendly JSON per event, Last-Event-ID resume, the starting state, bad input as HTTP statuses.
import { describe, expect, it, vi } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { connectClient, freshId } from "../helpers.js";
import { commit, openSse, sseReader } from "./helpers.js";

describe("GET /api/v1/entities/{id}/events/stream", { timeout: 20_000 }, () => {
  it("logs no error when the client goes away while the stream waits for the next event", async () => {
    const id = freshId("sse");
    await commit(id, [{ a: 1 }]);
    const errors = vi.spyOn(console, "error");
    try {
      const r = sseReader(await openSse(id, "?from=1"));
      expect((await r.take(1))[0]?.id).toBe("1");
      await r.close();
      // The stream's own teardown runs after the cancel: give it the turn it needs.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(errors.mock.calls.map((c) => String(c[0])).filter((line) => line.includes("stream"))).toEqual([]);
    } finally {
      errors.mockRestore();
    }
  });

  it("sends each event with its revision as id, in the friendly JSON of GET …/events, then live ones", async () => {
    const id = freshId("sse");
    await commit(id, [{ a: 1 }, { a: 2 }]);
    const res = await openSse(id, "?from=1");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const r = sseReader(res);
    try {
      const [first, second] = await r.take(2);
      expect(first).toMatchObject({ id: "1", event: "event", data: { revision: 1, event: { a: 1 }, state: { count: 1, revision: 1 } } });
      expect(first?.data.meta).toMatchObject({ entity_id: id, revision_number: 1 });
      expect(second?.id).toBe("2");
      await commit(id, [{ a: 3 }]);
      expect((await r.take(1))[0]).toMatchObject({ id: "3", event: "event", data: { revision: 3, event: { a: 3 } } });
    } finally {
      await r.close();
    }
  });

  it("resumes right after Last-Event-ID, which wins over from", async () => {
    const id = freshId("sse-resume");
    await commit(id, [{ a: 1 }, { a: 2 }, { a: 3 }]);
    const r = sseReader(await openSse(id, "?from=1&state=true", { headers: { "last-event-id": "2" } }));
    try {
      expect((await r.take(1)).map((e) => [e.id, e.event])).toEqual([["3", "event"]]);
    } finally {
      await r.close();
    }
  });

  it("sends the state first with state=true, as an event named state", async () => {
    const id = freshId("sse-state");
    await commit(id, [{ a: 1 }, { a: 2 }]);
    const r = sseReader(await openSse(id, "?state=true"));
    try {
      const [state] = await r.take(1);
      expect(state).toMatchObject({ id: "2", event: "state", data: { revision: 2, state: { count: 2 } } });
      expect(state?.data.event).toBeUndefined();
      await commit(id, [{ a: 3 }]);
      expect((await r.take(1))[0]?.id).toBe("3");
    } finally {
      await r.close();
    }
  });

  it("answers a from that is not a number with 400 invalid_argument before streaming", async () => {
    const res = await openSse(freshId("sse-bad"), "?from=abc");
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).code).toBe("invalid_argument");
  });

  it("answers a from beyond the head with 400 out_of_range naming the head", async () => {
    const id = freshId("sse-beyond");
    await commit(id, [{ a: 1 }]);
    const res = await openSse(id, "?from=5");
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.code).toBe("out_of_range");
    expect(body.message).toContain("it is at revision 1");
  });
});

describe("an SSE stream ended by Unsubscribe", { timeout: 20_000 }, () => {
  it("sends event: end and closes, so an EventSource can stop instead of reconnecting", async () => {
    const id = freshId("sse-end");
    await commit(id, [{ a: 1 }]);
    const subscriptionId = `sub-${id}`;
    const r = sseReader(await openSse(id, `?from=1&subscription_id=${subscriptionId}`));
    try {
      expect((await r.take(1))[0]?.id).toBe("1");
      await connectClient(ChiefOfStateService).unsubscribe({ subscriptionId });
      expect(await r.next()).toMatchObject({ event: "end", data: {} });
      expect(await r.next()).toBeUndefined();
    } finally {
      await r.close();
    }
  });
});
