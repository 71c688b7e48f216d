// A resize after the old owner's store restarted: lease ids of its previous instance must not name the new instance's leases.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1; the test drives the partitions' stores directly as
// the old deployment's consumer (route: one partition) and the new deployment's reconciler (two).
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cursorId } from "../../src/partition/index.js";
import { LEASE_MS } from "../../src/partition/shard-keeper.js";
import { createReadSide, freshReadSideId } from "../readside/helpers.js";
import { generationOf } from "../support/pipeline.js";
import { delivered, entityIn, old, p2 } from "./one-to-two.js";

describe("leases across a restart of the old owner", { timeout: 60_000 }, () => {
  it("does not let a commit from before the restart close a lease a load took after it", async () => {
    const side = freshReadSideId("lease-id");
    await createReadSide({ id: side, auto_start: false });
    const generation = (await generationOf(side)) as string;
    const first = entityIn(1);
    const second = entityIn(1, first);
    const [p0, p1] = [p2.store(0), p2.store(1)];

    // The previous instance's load is long past (its leases and their horizon are over: nothing to wait out).
    const before = await p0.load([{ entityId: first, shard: p2.shardOf(first), head: 1 }], Date.now() - 2 * LEASE_MS, old);
    await evictDurableObject(p0);
    // The new instance's first load reads another moving shard; then the old load's commit arrives.
    const after = await p0.load([{ entityId: second, shard: p2.shardOf(second), head: 1 }], Date.now(), old);
    expect(after.wait).toEqual([]);
    await p0.commit({ lease: before.lease, updates: [delivered(side, generation, first, 1)], parked: [], heads: [], appends: [], now: Date.now() });
    // The new deployment starts while the second delivery is still calling the read side.
    await p1.ensureShards(p2.route(1));

    const committed = await p0.commit({ lease: after.lease, updates: [delivered(side, generation, second, 1)], parked: [], heads: [], appends: [], now: Date.now() });
    expect([...committed.applied]).toEqual([cursorId(side, second)]);
  });
});
