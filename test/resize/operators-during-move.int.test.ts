// Operator actions while a resize moves a shard: they reach the new owner before it has the shard's rows.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1; the test drives the partitions' stores directly as
// the old deployment's consumer (route: one partition) and the new deployment's reconciler and
// manager (two partitions).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { StatehouseError } from "../../src/errors.js";
import { cursorId, freshCursor } from "../../src/partition/index.js";
import { servicesOf } from "../../src/services.js";
import { freshId } from "../helpers.js";
import { createReadSide, freshReadSideId } from "../readside/helpers.js";
import { capturingEnv, generationOf, partitionsOf } from "../support/pipeline.js";

const resized = { ...env, STATEHOUSE_PARTITIONS: "2" } as Env;
const p2 = partitionsOf(resized);
const old = { partition: 0, partitions: 1, numShards: p2.numShards };

describe("operator actions during a move", { timeout: 60_000 }, () => {
  it("refuses a restart of a moving shard, changing nothing, and restarts it once the move is done", async () => {
    const side = freshReadSideId("mv-restart");
    await createReadSide({ id: side, auto_start: false });
    const generation = (await generationOf(side)) as string;
    let e = freshId("mv-restart");
    while (p2.partitionOf(e) !== 1) e = freshId("mv-restart");
    const shard = p2.shardOf(e);
    const [p0, p1] = [p2.store(0), p2.store(1)];

    // Before the resize the read side handled revisions 1..2 of e.
    const before = await p0.load([{ entityId: e, shard, head: 2 }], Date.now(), old);
    const update = { key: { readSideId: side, entityId: e, shard }, from: freshCursor(generation), revision: 2, status: "ok" as const, attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 };
    expect([...(await p0.commit({ lease: before.lease, updates: [update], parked: [], heads: [], appends: [], now: Date.now() })).applied]).toEqual([cursorId(side, e)]);

    // The new deployment starts moving the shard; a delivery of the old one still holds it, so the move waits.
    const inFlight = await p0.load([{ entityId: e, shard, head: 2 }], Date.now(), old);
    await p1.ensureShards(p2.route(1));
    // The operator restarts the shard (the new deployment's manager goes to its new owner).
    const { e: quiet } = capturingEnv(resized);
    const outcome = await servicesOf(quiet).manager.restart(side, shard).then(
      () => "restarted",
      (cause: unknown) => `refused: ${String(cause)}`,
    );
    // A restart during the move is refused, saying why, and changes nothing (the import would overwrite it).
    expect(outcome).toMatch(/unavailable|cannot restart now: shard \d+ is moving between partitions/);
    expect(StatehouseError.from(await servicesOf(quiet).manager.restart(side, shard).catch((c: unknown) => c)).code).toBe("unavailable");
    // The delivery commits nothing new; the move completes.
    await p0.commit({ lease: inFlight.lease, updates: [], parked: [], heads: [], appends: [], now: Date.now() });
    await p1.ensureShards(p2.route(1));

    const after = await p1.load([{ entityId: e, shard, head: 2 }], Date.now(), p2.route(1));
    expect(after.wait).toEqual([]);
    // Nothing was lost or changed: the cursor came over at 2.
    expect(after.cursors.get(cursorId(side, e))?.revision).toBe(2);
    await p1.commit({ lease: after.lease, updates: [], parked: [], heads: [], appends: [], now: Date.now() });
    // Once the move is done, the same restart happens: the read side gets revisions 1..2 again.
    await servicesOf(quiet).manager.restart(side, shard);
    const restarted = await p1.load([{ entityId: e, shard, head: 2 }], Date.now(), p2.route(1));
    expect(restarted.cursors.get(cursorId(side, e))?.revision ?? 0).toBe(0);
    await p1.commit({ lease: restarted.lease, updates: [], parked: [], heads: [], appends: [], now: Date.now() });
  });
});
