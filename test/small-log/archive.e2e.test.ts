// A log that outgrows its store: older segments go to the archive and every reader spans both; a full store pauses the log, never delivery.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RECONCILE_GRACE_MS, reconcile } from "../../src/readside/index.js";
import { LogService } from "../../src/gen/statehouse/v1/log_pb.js";
import { call, command, connectClient, freshId } from "../helpers.js";
import { ADMIN_TOKEN, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "../readside/helpers.js";
import { sseReader } from "../streams/helpers.js";
import { cursorOf, partitionsOf, readSidesOf } from "../support/pipeline.js";

type Entry = { offset: number; entity_id: string; revision: number; event_type: string };
const key = (e: { entity_id: string; revision: number }) => `${e.entity_id}@${e.revision}`;

async function tiers() {
  return partitionsOf().store(0).logTiers();
}

/** Every entry from offset 1, page by page (pages of `limit`). */
async function wholeLog(limit = 5, type?: string, entity?: string): Promise<Entry[]> {
  const all: Entry[] = [];
  const filters = `${type === undefined ? "" : `&type=${type}`}${entity === undefined ? "" : `&entity=${encodeURIComponent(entity)}`}`;
  for (let from = 1; ; ) {
    const body = (await (await call(`/api/v1/log?from=${from}&limit=${limit}${filters}`)).json()) as any;
    all.push(...(body.entries as Entry[]));
    if (body.next_offset > body.head_offset) return all;
    from = body.next_offset;
  }
}

/** Swaps partition 0's archive bucket (its port) for `bucket`; returns the one it replaced. */
async function swapBucket(bucket: unknown): Promise<unknown> {
  return runInDurableObject(partitionsOf().store(0), (instance) => {
    const o = instance as unknown as { ports: { archive: unknown } };
    const before = o.ports.archive;
    o.ports = { ...o.ports, archive: bucket };
    return before;
  });
}

describe("a log larger than its partition's store", { timeout: 90_000 }, () => {
  it("archives older segments and reads them back through every reader, in order, each entry once", async () => {
    const ids = [freshId("arc"), freshId("arc")];
    for (let i = 1; i <= 12; i++) for (const e of ids) expect((await command(e, { command: { events: [{ i }] } })).status).toBe(200);
    await eventually(async () => expect((await tiers()).head).toBeGreaterThanOrEqual(24));
    // The hot window is 4 entries; archive objects hold whole segments beyond it.
    await reconcile(readSidesOf());
    await eventually(async () => {
      await partitionsOf().store(0).trimLog({ days: 0, events: 0 }, Date.now(), 10);
      const t = await tiers();
      expect(t.hot).toBeLessThanOrEqual(8);
      expect(t.hotFirst).toBeGreaterThan(t.first);
    });
    const listed = await env.LOG_ARCHIVE.list({ prefix: "log/p0/" });
    expect(listed.objects.length).toBeGreaterThan(0);
    // GET /metrics: the log holds every entry (both tiers); its partition's store only the hot ones.
    const metrics = await (await call("/metrics", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    const gauge = (re: RegExp) => Number(re.exec(metrics)?.[1]);
    const t = await tiers();
    expect(gauge(/^statehouse_log_entries (\d+)$/m)).toBe(t.head - t.first + 1);
    expect(gauge(/^statehouse_log_hot_entries\{partition="0"\} (\d+)$/m)).toBe(t.hot);

    // GET /api/v1/log from offset 1: the archive, then the hot segments, gap-free, revision order per entity.
    const all = await wholeLog(5);
    expect(all.map((e) => e.offset)).toEqual(all.map((_, i) => i + 1));
    for (const e of ids) expect(all.filter((x) => x.entity_id === e).map((x) => x.revision)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    // A type-filtered read skips archive objects without the type, and finds what has it.
    expect(await wholeLog(1000, "no.such.*")).toEqual([]);
    expect((await wholeLog(1000, "google.protobuf.*")).map(key)).toEqual(all.map(key));
    // So does an entity-filtered one, page by page across both tiers.
    expect((await wholeLog(2, undefined, ids[1])).map(key)).toEqual(all.filter((x) => x.entity_id === ids[1]).map(key));
    // LogService.Read and an SSE stream from offset 1 read the same entries.
    const read = await connectClient(LogService).read({ fromOffset: 1n, limit: 1000 });
    expect(read.entries.map((x) => `${x.entityId}@${x.revision}`)).toEqual(all.map(key));
    const sse = sseReader(await call("/api/v1/log/stream?from=1"));
    const streamed = await sse.take(all.length);
    await sse.close();
    expect(streamed.map((x) => `${x.data.entity_id}@${x.data.revision}`)).toEqual(all.map(key));

    // With the bucket unbound, archived offsets answer unavailable, naming them; the hot ones still read.
    const real = await swapBucket(undefined);
    try {
      const refused = await call("/api/v1/log?from=1&limit=5");
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: "unavailable", message: expect.stringMatching(/offsets 1–\d+ are archived, but no LOG_ARCHIVE bucket is bound/) });
      const { hotFirst } = await tiers();
      expect((await call(`/api/v1/log?from=${hotFirst}&limit=5`)).status).toBe(200);
    } finally {
      await swapBucket(real);
    }
  });

  it("takes a batch larger than the store's cap without pausing for good: a full store archives all but its newest segment", async () => {
    const e = freshId("big");
    // One command of 9 events: one segment of 9 entries, more than the cap of 8.
    expect((await command(e, { command: { events: Array.from({ length: 9 }, (_, i) => ({ i })) } })).status).toBe(200);
    expect((await command(e, { command: { events: [{ i: 10 }] } })).status).toBe(200);
    await eventually(async () => {
      await reconcile(readSidesOf(), Date.now() + 10 * RECONCILE_GRACE_MS);
      const mine = (await wholeLog(50)).filter((x) => x.entity_id === e);
      expect(mine.map((x) => x.revision)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    }, 30_000);
    expect(await cursorOf("$log", e)).toMatchObject({ revision: 10, status: "ok" });
  });

  it("keeps delivering to read sides when the log's store is full, and the log catches up once archiving works again", async () => {
    const side = freshReadSideId("full");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const before = (await tiers()).head;
    // The archive is unreachable: nothing can leave the store, which fills up to its cap of 8.
    const real = await swapBucket({
      put: () => Promise.reject(new Error("R2 put failed: unavailable")),
      get: () => Promise.reject(new Error("R2 get failed: unavailable")),
      delete: () => Promise.reject(new Error("R2 delete failed: unavailable")),
    });
    const e = freshId("full");
    try {
      for (let i = 1; i <= 20; i++) expect((await command(e, { command: { events: [{ i }] } })).status).toBe(200);
      // Delivery goes on: the read side gets all 20.
      await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)));
      // The log stopped at its cap; its own read side waits, saying why.
      await eventually(async () => expect(await cursorOf("$log", e)).toMatchObject({ status: "retrying" }));
      expect((await cursorOf("$log", e))?.lastError).toContain("STATEHOUSE_LOG_HOT_MAX_ENTRIES=8");
      const stalled = await tiers();
      expect(stalled.head - before).toBeLessThan(20);
      expect(stalled.hot).toBeLessThanOrEqual(8 + 20);
    } finally {
      await swapBucket(real);
    }
    // Archiving works again: the reconciler archives, the log's retry comes due, and the log takes the rest.
    for (let run = 1; run <= 6; run++) {
      await reconcile(readSidesOf(), Date.now() + run * 2 * RECONCILE_GRACE_MS);
      await new Promise((r) => setTimeout(r, 300));
    }
    await eventually(async () => {
      await reconcile(readSidesOf(), Date.now() + 10 * RECONCILE_GRACE_MS);
      const mine = (await wholeLog(50)).filter((x) => x.entity_id === e);
      expect(mine.map((x) => x.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    }, 30_000);
    expect(await cursorOf("$log", e)).toMatchObject({ revision: 20, status: "ok" });
  });
});
