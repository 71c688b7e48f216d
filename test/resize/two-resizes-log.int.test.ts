// The log after two resizes in a row (1 → 2 → 4): a shard that passed through partition 1 without an entry there keeps its entity's entries in revision order.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1; the test drives the partitions' stores directly as
// the deployments' consumers and reconcilers would, and reads the log as the last one does.
import { env } from "cloudflare:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { type CommitRequest, type Partitions, cursorId, freshCursor } from "../../src/partition/index.js";
import { servicesOf } from "../../src/services.js";
import { freshId, structAny } from "../helpers.js";
import { eventually } from "../readside/helpers.js";
import { logGeneration, partitionsOf } from "../support/pipeline.js";

const one = partitionsOf({ ...env, STATEHOUSE_PARTITIONS: "1" } as Env);
const two = partitionsOf({ ...env, STATEHOUSE_PARTITIONS: "2" } as Env);
// (Partitions 2 and 3 need queues to configure; nothing is sent to them here.)
const fourEnv = { ...env, STATEHOUSE_PARTITIONS: "4", EVENTS_2: env.EVENTS, EVENTS_3: env.EVENTS } as Env;
const four = partitionsOf(fourEnv);

/** The `$log` pair's commit of `entityId`'s revisions from..to, after a cursor at from - 1, stamped `now`. */
function logCommit(p: Partitions, entityId: string, generation: string, from: number, to: number, lease: number | undefined, now: number): CommitRequest {
  const shard = p.shardOf(entityId);
  const rows = Array.from({ length: to - from + 1 }, (_, i) => ({
    entityId,
    revision: from + i,
    eventType: "google.protobuf.Struct",
    event: toBinary(AnySchema, structAny({ revision: from + i })),
    meta: toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: from + i })),
    state: undefined,
  }));
  const update = { key: { readSideId: "$log", entityId, shard }, from: { ...freshCursor(generation), revision: from - 1 }, revision: to, status: "ok" as const, attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 };
  return { lease, updates: [update], parked: [], heads: [], appends: [{ entityId, shard, generation, epoch: 0, fromRevision: from - 1, rows }], now };
}

describe("the log after resizing twice in a row", { timeout: 60_000 }, () => {
  it("reads a moved entity's entries in revision order when its shard passed through a partition that appended nothing", async () => {
    const generation = await logGeneration();
    let e = freshId("twice-log");
    while (two.partitionOf(e) !== 1 || four.partitionOf(e) !== 3) e = freshId("twice-log");
    const shard = one.shardOf(e);

    // With one partition, e's revisions 1..2 entered partition 0's log.
    const loaded = await one.store(0).load([{ entityId: e, shard, head: 2 }], Date.now(), one.route(0));
    expect((await one.store(0).commit(logCommit(one, e, generation, 1, 2, loaded.lease, Date.now()))).appended).toHaveLength(2);
    // Two partitions, then four, before partition 1 took anything over; the moves run.
    await two.store(0).ensureShards(two.route(0));
    await eventually(async () => {
      await Promise.all(four.all.map((p) => four.store(p).ensureShards(four.route(p))));
      expect((await four.store(3).load([{ entityId: e, shard, head: 3 }], Date.now(), four.route(3))).wait).toEqual([]);
    }, 20_000);
    // Revision 3 enters partition 3's log, stamped by a consumer whose clock is a minute behind.
    const at3 = await four.store(3).load([{ entityId: e, shard, head: 3 }], Date.now(), four.route(3));
    expect(at3.cursors.get(cursorId("$log", e))?.revision).toBe(2);
    expect((await four.store(3).commit(logCommit(four, e, generation, 3, 3, at3.lease, Date.now() - 60_000))).appended).toHaveLength(1);

    // A reader of the whole log meets e's entries in revision order.
    const seen: number[] = [];
    let from: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await servicesOf(fourEnv).eventLog.read({ from, limit: 1 });
      for (const { entry } of page.entries) if (entry.entityId === e) seen.push(entry.revision);
      if (page.entries.length === 0 && page.next === from) break;
      from = page.next;
    }
    expect(seen).toEqual([1, 2, 3]);
  });
});
