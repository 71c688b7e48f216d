// A subscription's life: Unsubscribe from another request, a reader that falls far behind, the entity object evicted mid-stream.
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { connectClient, connectError, freshId } from "../helpers.js";
import { commit, commitEach, revisions, subscribe } from "./helpers.js";

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe("a subscription's life", { timeout: 30_000 }, () => {
  it("ends with OK (a clean end of stream) when Unsubscribe names it from a separate request", async () => {
    const id = freshId("unsub");
    const sub = `unsub-${id}`;
    const s = subscribe({ entityId: id, subscriptionId: sub, includeState: true });
    try {
      expect(await s.take(1)).toHaveLength(1);
      const pending = s.next();
      const res = await connectClient(ChiefOfStateService).unsubscribe({ subscriptionId: sub });
      expect(res.subscriptionId).toBe(sub);
      expect(await pending).toEqual({ done: true, value: undefined });
    } finally {
      s.close();
    }
  });

  it("answers Unsubscribe and UnsubscribeAll for an id with no stream, and refuses an empty id", async () => {
    const client = connectClient(ChiefOfStateService);
    expect((await client.unsubscribe({ subscriptionId: "nobody" })).subscriptionId).toBe("nobody");
    expect((await client.unsubscribeAll({ subscriptionId: "nobody" })).subscriptionId).toBe("nobody");
    for (const call of [() => client.unsubscribe({}), () => client.unsubscribeAll({})]) {
      const err = await connectError(call);
      expect([err.code, err.rawMessage]).toEqual([3, "subscription_id is required"]);
    }
  });

  it("serves a subscriber that reads nothing while 250 events are committed, then everything in order", async () => {
    const id = freshId("slow");
    await commit(id, [{ i: 1 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 });
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      // ~2 KB per event, so far more than the live buffer (100 items) and any pipe in between is pending.
      const pad = "p".repeat(2000);
      for (let c = 0; c < 25; c++) await commit(id, range(1, 10).map((i) => ({ i, pad })));
      expect(revisions(await s.take(250))).toEqual(range(2, 251));
      await commit(id, [{ i: 252 }]);
      expect(revisions(await s.take(1))).toEqual([252]);
    } finally {
      s.close();
    }
  });

  it("continues without loss when the entity object is evicted while a subscriber is connected, and Unsubscribe still reaches it", async () => {
    const id = freshId("evict");
    const sub = `evict-${id}`;
    await commit(id, [{ i: 1 }]);
    const s = subscribe({ entityId: id, subscriptionId: sub, fromRevision: 1 });
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      await abortAllDurableObjects();
      await commitEach(id, 2, 3);
      expect(revisions(await s.take(3))).toEqual([2, 3, 4]);
      await commit(id, [{ i: 5 }]);
      expect(revisions(await s.take(1))).toEqual([5]);
      // The registration under the subscription id was re-made after the eviction too.
      const ended = s.next();
      let done = false;
      void ended.then((r) => (done = r.done === true));
      await vi.waitFor(
        async () => {
          await connectClient(ChiefOfStateService).unsubscribe({ subscriptionId: sub });
          expect(done).toBe(true);
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      s.close();
    }
  });
});
