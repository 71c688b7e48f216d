// Live streams of the global log: SubscribeAll, LogService.Tail and SSE — gap-free hand-off, resume, filters, faults.
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { LogService } from "../../src/gen/statehouse/v1/log_pb.js";
import { call, command, connectClient, connectError, freshId, structOf } from "../helpers.js";
import { commit, sseReader, streamReader } from "./helpers.js";

/** The log's head offset now. */
async function head(): Promise<number> {
  const res = await call("/api/v1/log?limit=1");
  return ((await res.json()) as any).head_offset as number;
}

/** Waits until the log's head reaches `offset` (appends run in the Queue consumer, after the reply). */
async function headAtLeast(offset: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await head()) >= offset) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the log never reached offset ${offset}`);
}

/** Waits until `entityId`'s revision is in the log; its offset. */
async function offsetOf(entityId: string, revision: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    let from = 0;
    for (;;) {
      const body = (await (await call(`/api/v1/log?from=${from}&limit=1000`)).json()) as any;
      const hit = body.entries.find((x: any) => x.entity_id === entityId && x.revision === revision);
      if (hit !== undefined) return hit.offset as number;
      if (body.entries.length === 0) break;
      from = body.next_offset;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${entityId}@${revision} never reached the log`);
}

function openLogSse(query = "", init: RequestInit = {}) {
  return call(`/api/v1/log/stream${query}`, init);
}

describe("the log's live streams", { timeout: 60_000 }, () => {
  it("SSE sends every entry with its offset as id, catching up then live, without a gap or a duplicate", async () => {
    const e = freshId("logsse");
    await commit(e, [{ n: 1 }, { n: 2 }]);
    const start = await offsetOf(e, 2);
    const res = await openLogSse(`?from=${start - 1}`);
    expect(res.status).toBe(200);
    const r = sseReader(res);
    try {
      // Commits while the stream catches up: every one arrives once, in offset order.
      const more = (async () => {
        for (let i = 3; i <= 8; i++) await commit(e, [{ n: i }]);
      })();
      const got = await r.take(8);
      await more;
      const offsets = got.map((x) => Number(x.id));
      expect(offsets).toEqual(offsets.map((_, i) => start - 1 + i));
      const mine = got.filter((x) => x.data.entity_id === e).map((x) => x.data.revision);
      expect(mine).toEqual(mine.map((_, i) => (mine[0] as number) + i));
      expect(got[0]?.data).toMatchObject({ offset: start - 1, event_type: "google.protobuf.Struct" });
    } finally {
      await r.close();
    }
  });

  it("SSE resumes right after Last-Event-ID and filters by a type glob", async () => {
    const e = freshId("logsse-resume");
    await commit(e, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await command(e, { command: { "@type": "type.googleapis.com/test.v1.Deposit", amount: "9", note: "t" } });
    const h = await offsetOf(e, 4);
    const r = sseReader(await openLogSse(`?from=1`, { headers: { "last-event-id": String(h - 2) } }));
    try {
      expect((await r.take(2)).map((x) => Number(x.id))).toEqual([h - 1, h]);
    } finally {
      await r.close();
    }
    const typed = sseReader(await openLogSse(`?from=${h - 3}&type=test.v1.*`));
    try {
      const [only] = await typed.take(1);
      expect(only).toMatchObject({ id: String(h), data: { event_type: "test.v1.Deposit", entity_id: e } });
    } finally {
      await typed.close();
    }
    // One entity's entries, caught up and then live; another entity's in between are left out.
    const other = freshId("log-sse-other");
    const mine = sseReader(await openLogSse(`?from=${await offsetOf(e, 1)}&entity=${encodeURIComponent(e)}`));
    try {
      await commit(other, [{ n: 1 }]);
      await commit(e, [{ n: 99 }]);
      const got = await mine.take(5);
      expect(got.map((x) => [x.data.entity_id, x.data.revision])).toEqual([1, 2, 3, 4, 5].map((r) => [e, r]));
      expect(got.at(-1)?.data.event).toEqual({ n: 99 });
    } finally {
      await mine.close();
    }
  });

  it("answers bad starts with HTTP statuses before streaming", async () => {
    const h = await head();
    const beyond = await openLogSse(`?from=${h + 2}`);
    expect(beyond.status).toBe(400);
    expect(((await beyond.json()) as any).code).toBe("out_of_range");
    for (const q of ["?from=x", "?type=a%20b", "?from=-3", `?entity=${"e".repeat(300)}`]) {
      const bad = await openLogSse(q);
      expect(bad.status, q).toBe(400);
      expect(((await bad.json()) as any).code, q).toBe("invalid_argument");
    }
    const anonymous = await call("/api/v1/log/stream", { auth: false });
    expect(anonymous.status).toBe(401);
  });

  it("SubscribeAll streams events of every entity with state, meta and offset, and UnsubscribeAll ends it with OK", async () => {
    const client = connectClient(ChiefOfStateService);
    const a = freshId("all-a");
    const b = freshId("all-b");
    await commit(a, [{ n: 1 }]);
    const sub = streamReader(client.subscribeAll({ subscriptionId: `sa-${a}`, fromOffset: BigInt(await offsetOf(a, 1)) }));
    const [caughtUp] = await sub.take(1);
    expect([caughtUp?.meta?.entityId, caughtUp?.meta?.revisionNumber]).toEqual([a, 1]);
    // Live from here on.
    await commit(a, [{ n: 2 }]);
    await commit(b, [{ n: 1 }]);
    const msgs = [caughtUp as NonNullable<typeof caughtUp>];
    while (msgs.length < 3) {
      const [m] = await sub.take(1);
      if (m?.meta?.entityId === a || m?.meta?.entityId === b) msgs.push(m);
    }
    expect(msgs.map((m) => [m.meta?.entityId, m.meta?.revisionNumber])).toEqual([
      [a, 1],
      [a, 2],
      [b, 1],
    ]);
    expect(msgs.every((m) => m.subscriptionId === `sa-${a}`)).toBe(true);
    expect(structOf(msgs[1]?.event)).toEqual({ n: 2 });
    expect(structOf(msgs[1]?.resultingState)).toMatchObject({ count: 2, revision: 2 });
    expect(msgs[1]?.offset).toBe((msgs[0]?.offset as bigint) + 1n);

    await client.unsubscribeAll({ subscriptionId: `sa-${a}` });
    const end = await sub.next();
    expect(end.done).toBe(true);
  });

  it("SubscribeAll resumes from an offset and Tail filters by type", async () => {
    const e = freshId("tail");
    await commit(e, [{ n: 1 }, { n: 2 }]);
    await command(e, { command: { "@type": "type.googleapis.com/test.v1.Deposit", amount: "3", note: "x" } });
    const h = await offsetOf(e, 3);
    const all = streamReader(connectClient(ChiefOfStateService).subscribeAll({ fromOffset: BigInt(h - 1) }));
    expect((await all.take(2)).map((m) => m.offset)).toEqual([BigInt(h - 1), BigInt(h)]);

    const tail = streamReader(connectClient(LogService, { protocol: "grpc-web" }).tail({ fromOffset: BigInt(h - 2), eventType: "test.v1.Deposit" }));
    const [deposit] = await tail.take(1);
    expect([deposit?.offset, deposit?.eventType, deposit?.entityId]).toEqual([BigInt(h), "test.v1.Deposit", e]);
  });

  it("refuses a from_offset beyond the head", async () => {
    const h = await head();
    const err = await connectError(async () => {
      for await (const _ of connectClient(LogService).tail({ fromOffset: BigInt(h + 5) })) break;
    });
    expect(err.code).toBe(11);
  });

  it("keeps streaming without loss when the hub is evicted", async () => {
    const e = freshId("hub-evict");
    const h = await head();
    await headAtLeast(h);
    const r = sseReader(await openLogSse(`?from=${h + 1}`));
    try {
      await commit(e, [{ n: 1 }]);
      expect((await r.take(1)).map((x) => x.data.revision)).toEqual([1]);
      await abortAllDurableObjects();
      for (let i = 2; i <= 4; i++) await commit(e, [{ n: i }]);
      const got = await r.take(3);
      expect(got.map((x) => [x.data.entity_id, x.data.revision])).toEqual([
        [e, 2],
        [e, 3],
        [e, 4],
      ]);
    } finally {
      await r.close();
    }
  });
});
