// deliverPair with a scripted handler and a fixed clock: order, policies, gaps and the time budget.
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, StructSchema, anyPack } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import type { ReadSideSpec } from "../../src/config/index.js";
import { type Cursor, freshCursor } from "../../src/partition/cursor-codec.js";
import type { JournalEntry } from "../../src/entity/index.js";
import { StatehouseError } from "../../src/errors.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { deliverPair } from "../../src/readside/delivery.js";
import type { ReadSideHandler } from "../../src/readside/read-side-handler.js";

const NOW = 1_000_000;
const spec: ReadSideSpec = {
  id: "rs",
  target: { kind: "url", url: "https://h.example" },
  protocol: "connect",
  timeoutMs: 1000,
  policy: "REPLAY_STOP",
  retries: 2,
  backoffMs: 2000,
  enabled: true,
  autoStart: true,
  eventTypes: [],
  secret: undefined,
};
const key = { readSideId: "rs", entityId: "e", shard: 0 };

function entry(revision: number): JournalEntry {
  const any = toBinary(AnySchema, anyPack(StructSchema, create(StructSchema, {})));
  return { revision, event: any, state: any, meta: toBinary(MetaDataSchema, create(MetaDataSchema, { entityId: "e", revisionNumber: revision })) };
}

/** A handler that fails the revisions in `failing` and records every call. */
function handler(failing: number[] = []): ReadSideHandler & { seen: number[] } {
  const seen: number[] = [];
  return {
    seen,
    async handle({ request }) {
      const r = request.meta?.revisionNumber ?? 0;
      seen.push(r);
      if (failing.includes(r)) throw new StatehouseError("unavailable", "down");
    },
  };
}

/** When the entity's journal was last compacted, in these tests. */
const COMPACTED_AT = NOW - 60_000;

/** Runs deliverPair; by default the pair began after the journal's last compaction. */
const run = (h: ReadSideHandler, cursor: Cursor, revisions: number[], over: Partial<ReadSideSpec> = {}, deadline = Infinity, startedAt = NOW) =>
  deliverPair(
    { spec: { ...spec, ...over }, handler: h, key, cursor, startedAt, compactedAt: COMPACTED_AT, events: revisions.map(entry), target: Math.max(0, ...revisions), deadline },
    () => NOW,
  );

describe("deliverPair", () => {
  it("given a cursor at 2, when events 1 to 5 are read, then it calls 3, 4, 5 in order and moves to 5", async () => {
    const h = handler();
    const out = await run(h, { ...freshCursor("g"), revision: 2 }, [1, 2, 3, 4, 5]);
    expect(h.seen).toEqual([3, 4, 5]);
    expect(out.update).toMatchObject({ revision: 5, status: "ok", from: { revision: 2 } });
    expect(out.resend).toBeUndefined();
  });

  it("given a failure with retries left, then it stops there, schedules the retry after the backoff and calls nothing after it", async () => {
    const h = handler([2]);
    const out = await run(h, freshCursor("g"), [1, 2, 3]);
    expect(h.seen).toEqual([1, 2]);
    expect(out.update).toMatchObject({ revision: 1, status: "retrying", attempts: 1, failedRevision: 2, retryAt: NOW + 2000 });
    expect(out.resend).toEqual({ fromRevision: 2, delaySeconds: 2 });
  });

  it("given a retrying cursor whose backoff has not elapsed, then it calls nothing", async () => {
    const h = handler();
    const out = await run(h, { ...freshCursor("g"), status: "retrying", retryAt: NOW + 5000 }, [1]);
    expect(h.seen).toEqual([]);
    expect(out).toEqual({ update: undefined, parked: [], resend: undefined });
  });

  it("given SKIP, then the failing event is parked and delivery goes on", async () => {
    const h = handler([2]);
    const out = await run(h, freshCursor("g"), [1, 2, 3], { policy: "SKIP" });
    expect(h.seen).toEqual([1, 2, 3]);
    expect(out.parked).toMatchObject([{ revision: 2, attempts: 1 }]);
    expect(out.update).toMatchObject({ revision: 3, status: "ok" });
  });

  it("given a gap after the cursor (compacted events), then it stops with an explicit error and calls nothing", async () => {
    const h = handler();
    const out = await run(h, { ...freshCursor("g"), revision: 2 }, [6, 7]);
    expect(h.seen).toEqual([]);
    expect(out.update).toMatchObject({ revision: 2, status: "stopped", failedRevision: 5 });
    expect(out.update?.lastError).toContain("events compacted before delivery: revisions 3–5");
  });

  it("given a cursor at 0 of a pair that began after the last compaction, then it starts at the first retained event", async () => {
    const h = handler();
    const out = await run(h, freshCursor("g"), [6, 7]);
    expect(h.seen).toEqual([6, 7]);
    expect(out.update).toMatchObject({ revision: 7, status: "ok" });
  });

  it("given a cursor at 0 of a pair that began before the last compaction, then the gap is an error", async () => {
    const h = handler();
    const out = await run(h, freshCursor("g"), [6, 7], {}, Infinity, NOW - 120_000);
    expect(h.seen).toEqual([]);
    expect(out.update).toMatchObject({ revision: 0, status: "stopped", failedRevision: 5 });
  });

  it("given no time left before the deadline, then it calls nothing and resends from the cursor", async () => {
    const h = handler();
    const out = await run(h, freshCursor("g"), [1, 2], {}, NOW + 500);
    expect(h.seen).toEqual([]);
    expect(out.resend).toEqual({ fromRevision: 1, delaySeconds: 0 });
  });

  it("given events of types the read side does not want, then it moves past them without a call", async () => {
    const h = handler();
    const out = await run(h, freshCursor("g"), [1, 2], { eventTypes: ["bank.v1.Opened"] });
    expect(h.seen).toEqual([]);
    expect(out.update).toMatchObject({ revision: 2, status: "ok" });
  });
});
