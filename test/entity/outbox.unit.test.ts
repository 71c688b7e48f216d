// OutboxPublisher: ranges reach the Queue in full, coalesced while a send is in flight, retried after failure.
import { describe, expect, it } from "vitest";
import { type EventsMessage, MAX_OUTBOX_RETRY_MS, OutboxPublisher, outboxRetryMs } from "../../src/entity/outbox.js";

function publisher(fail: () => boolean = () => false) {
  const sent: EventsMessage[] = [];
  const failures: unknown[] = [];
  const p = new OutboxPublisher(
    async (msg) => {
      await Promise.resolve();
      if (fail()) throw new Error("queue down");
      sent.push(msg);
    },
    (cause) => failures.push(cause),
  );
  return { p, sent, failures };
}

describe("OutboxPublisher", () => {
  it("sends each committed range once", async () => {
    const { p, sent } = publisher();
    expect(await p.flush("e", 3)).toBe(true);
    expect(sent).toEqual([{ entityId: "e", fromRevision: 1, toRevision: 3 }]);
    expect(p.published).toBe(3);
  });

  it("names the newest commit's trace in the message that carries it, and no trace in later ones", async () => {
    const { p, sent } = publisher();
    p.notify("e", 1, [], { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    await p.flush("e", 1);
    p.notify("e", 2);
    await p.flush("e", 2);
    expect(sent).toEqual([
      { entityId: "e", fromRevision: 1, toRevision: 1, trace: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } },
      { entityId: "e", fromRevision: 2, toRevision: 2 },
    ]);
  });

  it("coalesces commits that land while a send is in flight", async () => {
    const { p, sent } = publisher();
    p.notify("e", 1);
    p.notify("e", 2);
    p.notify("e", 3);
    await p.flush("e", 3);
    expect(sent).toEqual([
      { entityId: "e", fromRevision: 1, toRevision: 1 },
      { entityId: "e", fromRevision: 2, toRevision: 3 },
    ]);
  });

  it("keeps a failed range pending and sends it on the next flush", async () => {
    let down = true;
    const { p, sent, failures } = publisher(() => down);
    expect(await p.flush("e", 2)).toBe(false);
    expect(failures).toHaveLength(1);
    expect(p.pending).toBe(true);
    down = false;
    expect(await p.flush("e", 2)).toBe(true);
    expect(sent).toEqual([{ entityId: "e", fromRevision: 1, toRevision: 2 }]);
  });

  it("waits 1 s after a first failed send, doubling with each failure in a row, at most 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map(outboxRetryMs)).toEqual([1000, 2000, 4000, 8000, 16_000, MAX_OUTBOX_RETRY_MS, MAX_OUTBOX_RETRY_MS]);
  });

  it("tells the owner the failures in a row and the wait, and starts again after a send goes through", async () => {
    let down = true;
    const told: [number, number][] = [];
    const p = new OutboxPublisher(
      async () => {
        if (down) throw new Error("queue down");
      },
      (_cause, failures, retryMs) => told.push([failures, retryMs]),
    );
    await p.flush("e", 1);
    await p.flush("e", 1);
    await p.flush("e", 1);
    expect(told).toEqual([[1, 1000], [2, 2000], [3, 4000]]);
    down = false;
    await p.flush("e", 2);
    expect(p.retryMs).toBe(1000);
    down = true;
    await p.flush("e", 3);
    expect(told.at(-1)).toEqual([1, 1000]);
  });

  it("re-sends from the recorded mark after a restart (duplicates, never gaps)", async () => {
    const sent: EventsMessage[] = [];
    const p = new OutboxPublisher(async (m) => void sent.push(m), () => {}, 4);
    await p.flush("e", 6);
    expect(sent).toEqual([{ entityId: "e", fromRevision: 5, toRevision: 6 }]);
  });
});

describe("OutboxPublisher carrying rows", () => {
  const row = (revision: number, size = 10) => ({ revision, event: new Uint8Array(size), state: new Uint8Array(size), meta: new Uint8Array(1) });

  it("sends the committed rows with the range when it holds every one of them", async () => {
    const { p, sent } = publisher();
    p.notify("e", 2, [row(1), row(2)]);
    expect(await p.flush("e", 2)).toBe(true);
    expect(sent).toEqual([{ entityId: "e", fromRevision: 1, toRevision: 2, events: [row(1), row(2)] }]);
  });

  it("sends the range alone when the rows do not fit in one message", async () => {
    const { p, sent } = publisher();
    p.notify("e", 2, [row(1, 30_000), row(2, 30_000)]);
    expect(await p.flush("e", 2)).toBe(true);
    expect(sent).toEqual([{ entityId: "e", fromRevision: 1, toRevision: 2 }]);
    expect(sent[0]).not.toHaveProperty("events");
  });

  it("after a refused send, retries with the bare range", async () => {
    let refuse = true;
    const { p, sent } = publisher(() => (refuse ? ((refuse = false), true) : false));
    p.notify("e", 1, [row(1)]);
    expect(await p.flush("e", 1)).toBe(false);
    expect(await p.flush("e", 1)).toBe(true);
    expect(sent).toEqual([{ entityId: "e", fromRevision: 1, toRevision: 1 }]);
  });

  it("sends the range alone when it lacks some rows (after the object restarted)", async () => {
    const { p, sent } = publisher();
    p.published = 3;
    p.notify("e", 6, [row(6)]);
    expect(await p.flush("e", 6)).toBe(true);
    expect(sent).toEqual([{ entityId: "e", fromRevision: 4, toRevision: 6 }]);
  });
});
