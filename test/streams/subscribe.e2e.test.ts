// Subscribe over Connect and gRPC-Web: every event of a command, in order, resumable without gap or duplicate.
import { describe, expect, it } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { connectClient, connectError, freshId, structOf } from "../helpers.js";
import { commit, commitEach, revisions, streamReader, subscribe } from "./helpers.js";
import { awaitResponseHeaders } from "../support/response-headers.js";

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe.each(["connect", "connect-json", "grpc-web"] as const)("Subscribe over %s", (protocol) => {
  it("streams every event of a multi-event command, in order, with its state and meta", async () => {
    const id = freshId(`sub-${protocol}`);
    await commit(id, [{ a: 1 }, { a: 2 }, { a: 3 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 }, protocol);
    try {
      const msgs = await s.take(3);
      expect(revisions(msgs)).toEqual([1, 2, 3]);
      expect(msgs.map((m) => structOf(m.event))).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
      expect(structOf(msgs[2]?.resultingState)).toMatchObject({ count: 3, revision: 3 });
      expect(msgs.every((m) => m.meta?.entityId === id && !m.currentState)).toBe(true);
      // No subscription id was sent: the server made one, and every message carries it.
      const ids = new Set(msgs.map((m) => m.subscriptionId));
      expect(ids.size).toBe(1);
      expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
      await commit(id, [{ a: 4 }, { a: 5 }]);
      expect(revisions(await s.take(2))).toEqual([4, 5]);
    } finally {
      s.close();
    }
  });

  it("sends the response headers before any event, so a client can tell it is subscribed", async () => {
    const id = freshId("quiet");
    const abort = new AbortController();
    const headers = awaitResponseHeaders();
    const stream = streamReader(connectClient(ChiefOfStateService, { protocol }).subscribe({ entityId: id }, { signal: abort.signal, onHeader: headers.onHeader }));
    const first = stream.next();
    first.catch(() => undefined);
    try {
      // No event is committed until the headers are seen: without them this waits out the bound.
      const seen = await headers.within(15_000);
      expect(seen, "response headers of a live-only Subscribe on a quiet entity").toBeInstanceOf(Headers);
      await commit(id, [{ a: 1 }]);
      const got = await first;
      expect(got.done).toBe(false);
      expect(got.value?.meta?.revisionNumber).toBe(1);
    } finally {
      abort.abort();
    }
  }, 30_000);
});

describe("Subscribe", () => {
  it("resumes from a revision: catch-up, then live, with no gap and no duplicate across the hand-off", async () => {
    const id = freshId("resume");
    // 150 events: catch-up takes two journal pages, and the reader pauses inside the first.
    await commit(id, range(1, 150).map((i) => ({ i })));
    const s = subscribe({ entityId: id, subscriptionId: "resume-sub", fromRevision: 3 });
    try {
      const first = await s.take(1);
      expect(revisions(first)).toEqual([3]);
      expect(first[0]?.subscriptionId).toBe("resume-sub");
      // Committed while the subscriber is still catching up.
      await commitEach(id, 151, 5);
      expect(revisions(await s.take(152))).toEqual(range(4, 155));
      await commit(id, [{ i: 156 }]);
      expect(revisions(await s.take(1))).toEqual([156]);
    } finally {
      s.close();
    }
  });

  it("sends the current state first with include_state, then only new events", async () => {
    const id = freshId("state");
    await commit(id, [{ a: 1 }, { a: 2 }]);
    const s = subscribe({ entityId: id, includeState: true });
    try {
      const [state] = await s.take(1);
      expect(state?.currentState).toBe(true);
      expect(state?.event).toBeUndefined();
      expect(state?.meta?.revisionNumber).toBe(2);
      expect(structOf(state?.resultingState)).toMatchObject({ count: 2 });
      await commit(id, [{ a: 3 }]);
      const [next] = await s.take(1);
      expect(next?.meta?.revisionNumber).toBe(3);
      expect(next?.currentState).toBe(false);
    } finally {
      s.close();
    }
  });

  it("sends the state the first event applies to when include_state has a from_revision", async () => {
    const id = freshId("state-from");
    await commit(id, [{ a: 1 }, { a: 2 }, { a: 3 }]);
    const s = subscribe({ entityId: id, fromRevision: 2, includeState: true });
    try {
      const msgs = await s.take(3);
      expect(msgs.map((m) => [m.meta?.revisionNumber, m.currentState])).toEqual([[1, true], [2, false], [3, false]]);
    } finally {
      s.close();
    }
  });

  it("gives a new entity's empty state at revision 0", async () => {
    const id = freshId("state-new");
    const s = subscribe({ entityId: id, includeState: true });
    try {
      const [state] = await s.take(1);
      expect(state?.meta?.revisionNumber).toBe(0);
      expect(state?.resultingState?.typeUrl).toBe("type.googleapis.com/google.protobuf.Empty");
      await commit(id, [{ a: 1 }]);
      expect(revisions(await s.take(1))).toEqual([1]);
    } finally {
      s.close();
    }
  });

  it("streams a commit too large to broadcast by reading it from the journal", async () => {
    const id = freshId("large");
    await commit(id, [{ a: 0 }]);
    const s = subscribe({ entityId: id, fromRevision: 1 });
    try {
      expect(revisions(await s.take(1))).toEqual([1]);
      // Three rows of ~240 KB each: the object announces only the head.
      const pad = "x".repeat(120_000);
      await commit(id, [{ pad, n: 2 }, { pad, n: 3 }, { pad, n: 4 }]);
      const msgs = await s.take(3);
      expect(revisions(msgs)).toEqual([2, 3, 4]);
      expect(msgs.map((m) => (structOf(m.event) as { n: number }).n)).toEqual([2, 3, 4]);
    } finally {
      s.close();
    }
  });

  it("rejects an empty entity id", async () => {
    const client = connectClient(ChiefOfStateService);
    const empty = await connectError(async () => {
      for await (const _ of client.subscribe({ entityId: "" })) break;
    });
    expect([empty.code, empty.rawMessage]).toEqual([3, "entity_id is required"]);
  });

  it("answers a from_revision beyond the head with OUT_OF_RANGE naming the head", async () => {
    const id = freshId("beyond");
    await commit(id, [{ a: 1 }, { a: 2 }]);
    const err = await connectError(() => subscribe({ entityId: id, fromRevision: 4 }).take(1));
    expect(err.code).toBe(11);
    expect(err.rawMessage).toContain("it is at revision 2");
    // head + 1 is the next event: allowed.
    const s = subscribe({ entityId: id, fromRevision: 3 });
    try {
      const next = s.take(1);
      await commit(id, [{ a: 3 }]);
      expect(revisions(await next)).toEqual([3]);
    } finally {
      s.close();
    }
  });
});
