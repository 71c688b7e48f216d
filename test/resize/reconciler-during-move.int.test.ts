// The new deployment's first reconciler run: it walks partition 0's index while partition 1 takes the odd shards from it.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1; the test drives the partitions' stores directly as
// the reconciler's steps do (reconcile() runs every partition's in parallel).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cursorId, freshCursor } from "../../src/partition/index.js";
import { servicesOf } from "../../src/services.js";
import { freshId } from "../helpers.js";
import { createReadSide, freshReadSideId } from "../readside/helpers.js";
import { generationOf, partitionsOf } from "../support/pipeline.js";

const resized = { ...env, STATEHOUSE_PARTITIONS: "2" } as Env;
const p2 = partitionsOf(resized);
const old = { partition: 0, partitions: 1, numShards: p2.numShards };

describe("the reconciler during a move", { timeout: 60_000 }, () => {
  it("leaves no row of a moved entity behind in its old partition when its walk raises a head the move released meanwhile", async () => {
    const side = freshReadSideId("probe");
    await createReadSide({ id: side, auto_start: false });
    const generation = (await generationOf(side)) as string;
    let e = freshId("probe");
    while (p2.partitionOf(e) !== 1) e = freshId("probe");
    const shard = p2.shardOf(e);
    const [p0, p1] = [p2.store(0), p2.store(1)];
    const before = await p0.load([{ entityId: e, shard, head: 2 }], Date.now(), old);
    const update = { key: { readSideId: side, entityId: e, shard }, from: freshCursor(generation), revision: 2, status: "ok" as const, attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 };
    expect([...(await p0.commit({ lease: before.lease, updates: [update], parked: [], heads: [], appends: [], now: Date.now() })).applied]).toEqual([cursorId(side, e)]);

    // Partition 0's share of the run reads a page of its index and asks the entities for their heads …
    const page = await p0.probePage(25);
    expect(page.map((x) => x.entityId)).toContain(e);
    // … while partition 1's share takes the shard over (and partition 0 releases its rows) …
    await p1.ensureShards(p2.route(1));
    // … then partition 0 records the head it found (e committed revision 3 meanwhile).
    await p0.advanceProbe(e, [{ entityId: e, shard, head: 3 }], Date.now());

    // The new deployment's views count e once, and partition 0 keeps nothing of it.
    const status = await servicesOf(resized).manager.status(side);
    expect(status.entities).toBe(1);
    expect(await p0.behind(side, { after: "", limit: 10 })).toEqual([]);
  });
});
