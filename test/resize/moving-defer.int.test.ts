// Messages of a shard that is moving wait without using up their retries: a move may take minutes, and waiting is not failing.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MOVE_DELAY_SECONDS } from "../../src/readside/consumer.js";
import { freshId } from "../helpers.js";
import { consume, partitionsOf } from "../support/pipeline.js";

const resized = { ...env, STATEHOUSE_PARTITIONS: "2" } as Env;
const p2 = partitionsOf(resized);
const old = { partition: 0, partitions: 1, numShards: p2.numShards };

describe("a delivery for a moving shard", { timeout: 60_000 }, () => {
  it("is acked and announced again later, once per entity, even on the queue's last attempt: it never reaches the dead-letter queue", async () => {
    let e = freshId("mv-wait");
    while (p2.partitionOf(e) !== 1) e = freshId("mv-wait");
    const shard = p2.shardOf(e);
    const [p0, p1] = [p2.store(0), p2.store(1)];
    // A delivery of the old deployment holds the shard, so partition 1 cannot take it over yet.
    const inFlight = await p0.load([{ entityId: e, shard, head: 1 }], Date.now(), old);
    await p1.ensureShards(p2.route(1));

    const sent: { body: unknown; delaySeconds?: number }[] = [];
    const queue = { send: async () => {}, sendBatch: async (msgs: { body: unknown; delaySeconds?: number }[]) => void sent.push(...msgs) };
    const capturing = { ...resized, EVENTS: queue, EVENTS_1: queue } as unknown as Env;
    const result = await consume(
      [
        { entityId: e, fromRevision: 1, toRevision: 1 },
        { entityId: e, fromRevision: 2, toRevision: 3 },
      ],
      capturing,
      "statehouse-events-1",
      10,
    );
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(sent).toEqual([{ body: { entityId: e, fromRevision: 3, toRevision: 3 }, contentType: "json", delaySeconds: MOVE_DELAY_SECONDS }]);

    await p0.commit({ lease: inFlight.lease, updates: [], parked: [], heads: [], appends: [], now: Date.now() });
  });
});
