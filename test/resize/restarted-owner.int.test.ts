// A resize while the old owner's store restarts: its loads' leases were in the memory of the instance that went away.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1; the test drives the partitions' stores directly as
// the old deployment's consumer (route: one partition) and the new deployment's reconciler (two).
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cursorId } from "../../src/partition/index.js";
import { createReadSide, freshReadSideId } from "../readside/helpers.js";
import { generationOf } from "../support/pipeline.js";
import { delivered, entityIn, old, p2 } from "./one-to-two.js";

describe("a resize while the old owner restarts", { timeout: 60_000 }, () => {
  it("does not seal a shard while a delivery that read it before the owner restarted can still commit", async () => {
    const side = freshReadSideId("lease");
    await createReadSide({ id: side, auto_start: false });
    const generation = (await generationOf(side)) as string;
    const moving = entityIn(1);
    const staying = entityIn(0);
    const [p0, p1] = [p2.store(0), p2.store(1)];

    // The old deployment's consumer loads the moving entity's cursors and calls the read side.
    const loaded = await p0.load([{ entityId: moving, shard: p2.shardOf(moving), head: 1 }], Date.now(), old);
    expect(loaded.wait).toEqual([]);
    // Meanwhile partition 0's object restarts (an eviction, a deploy of the class) and serves another batch.
    await evictDurableObject(p0);
    await p0.load([{ entityId: staying, shard: p2.shardOf(staying), head: 1 }], Date.now(), old);
    // The new deployment starts: partition 1 takes the odd shards over.
    await p1.ensureShards(p2.route(1));

    // The delivery succeeded (the handler has revision 1) and commits: its cursor must not be lost,
    // or the new owner delivers revision 1 again.
    const committed = await p0.commit({ lease: loaded.lease, updates: [delivered(side, generation, moving, 1)], parked: [], heads: [], appends: [], now: Date.now() });
    expect([...committed.applied]).toEqual([cursorId(side, moving)]);
  });
});
