// A resize while the old owner's store restarts: its loads' leases were in the memory of the instance that went away.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1; the test drives the partitions' stores directly as
// the old deployment's consumer (route: one partition) and the new deployment's reconciler (two).
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type CursorUpdate, cursorId, freshCursor } from "../../src/partition/index.js";
import { freshId } from "../helpers.js";
import { createReadSide, freshReadSideId } from "../readside/helpers.js";
import { generationOf, partitionsOf } from "../support/pipeline.js";

const resized = { ...env, STATEHOUSE_PARTITIONS: "2" } as Env;
const p2 = partitionsOf(resized);
/** How the old deployment's consumer routes: everything to partition 0. */
const old = { partition: 0, partitions: 1, numShards: p2.numShards };

/** A fresh entity id that partition `p` owns once there are two partitions. */
function entityIn(p: number): string {
  for (;;) {
    const e = freshId("own");
    if (p2.partitionOf(e) === p) return e;
  }
}

/** The consumer's cursor update for a delivery of revisions 1..to that succeeded. */
function delivered(side: string, generation: string, entityId: string, to: number): CursorUpdate {
  return {
    key: { readSideId: side, entityId, shard: p2.shardOf(entityId) },
    from: freshCursor(generation),
    revision: to,
    status: "ok",
    attempts: 0,
    failedRevision: 0,
    lastError: null,
    retryAt: 0,
  };
}

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
