// Two resizes in a row (1 → 2 → 4) before the first one's moves ran: a shard that passes through partition 1 must still reach partition 3.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1; the test drives the partitions' stores directly as
// the deployments' reconcilers would (each run calls ensureShards on every partition).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cursorId, freshCursor } from "../../src/partition/index.js";
import { freshId } from "../helpers.js";
import { createReadSide, eventually, freshReadSideId } from "../readside/helpers.js";
import { generationOf, partitionsOf } from "../support/pipeline.js";

const one = partitionsOf({ ...env, STATEHOUSE_PARTITIONS: "1" } as Env);
const two = partitionsOf({ ...env, STATEHOUSE_PARTITIONS: "2" } as Env);
const four = partitionsOf({ ...env, STATEHOUSE_PARTITIONS: "4" } as Env);

describe("resizing twice in a row", { timeout: 60_000 }, () => {
  it("moves a shard whose owner went 0 → 1 → 3 to partition 3 with its cursors, although partition 1 had not taken it yet", async () => {
    const side = freshReadSideId("twice");
    await createReadSide({ id: side, auto_start: false });
    const generation = (await generationOf(side)) as string;
    let e = freshId("twice");
    while (two.partitionOf(e) !== 1 || four.partitionOf(e) !== 3) e = freshId("twice");
    const shard = one.shardOf(e);

    // With one partition, the read side handled revisions 1..2 of e.
    const loaded = await one.store(0).load([{ entityId: e, shard, head: 2 }], Date.now(), one.route(0));
    const update = { key: { readSideId: side, entityId: e, shard }, from: freshCursor(generation), revision: 2, status: "ok" as const, attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 };
    expect([...(await one.store(0).commit({ lease: loaded.lease, updates: [update], parked: [], heads: [], appends: [], now: Date.now() })).applied]).toEqual([cursorId(side, e)]);

    // The deployment with two partitions starts (its first request records the layout) …
    await two.store(0).ensureShards(two.route(0));
    // … and, before partition 1 took anything over, the one with four: its reconciler runs, again and again.
    await eventually(async () => {
      await Promise.all(four.all.map((p) => four.store(p).ensureShards(four.route(p))));
      const at3 = await four.store(3).load([{ entityId: e, shard, head: 2 }], Date.now(), four.route(3));
      expect(at3.wait).toEqual([]);
      expect(at3.cursors.get(cursorId(side, e))?.revision).toBe(2);
    }, 20_000);
  });
});
