// A partition's commit: one row per entity for every read side at once, one segment row for the batch's log entries, compare-and-set per cursor.
import { env, runInDurableObject } from "cloudflare:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { type SegmentStore, createPartitionLog, createSegmentStore } from "../../src/eventlog/index.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import type { ReadSideRecord } from "../../src/control/index.js";
import type { CursorUpdate, PartitionObject } from "../../src/partition/index.js";
import { freshCursor } from "../../src/partition/index.js";
import { servicesOf } from "../../src/services.js";
import { freshId } from "../helpers.js";
import { createReadSide, freshReadSideId } from "../readside/helpers.js";
import { capturingEnv, generationOf, logGeneration, partitionsOf, refreshPartitions } from "../support/pipeline.js";

/** Partition 0's store with every SQL statement's rows written counted. */
async function countedStore(): Promise<{ stub: DurableObjectStub<PartitionObject>; written: () => Promise<number>; reset: () => Promise<void> }> {
  const stub = partitionsOf().store(0);
  await runInDurableObject(stub, (instance, state) => {
    const o = instance as unknown as { sql: SqlStorage; segments: SegmentStore; log: unknown; counted?: { cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] } };
    if (o.counted !== undefined) return;
    const real = o.sql;
    const counted = { cursors: [] as SqlStorageCursor<Record<string, SqlStorageValue>>[] };
    o.counted = counted;
    o.sql = new Proxy(real, {
      get(target, prop) {
        if (prop === "exec") {
          return (query: string, ...bindings: unknown[]) => {
            const cursor = target.exec(query, ...bindings);
            counted.cursors.push(cursor);
            return cursor;
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    // The log's segments write through the same counted storage.
    o.segments = createSegmentStore(o.sql);
    o.log = createPartitionLog({ sql: o.sql, segments: o.segments, transact: (fn) => state.storage.transactionSync(fn), bucket: () => undefined, partition: () => 0 });
  });
  const read = (reset: boolean) =>
    runInDurableObject(stub, (instance) => {
      const c = (instance as unknown as { counted: { cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] } }).counted;
      const n = c.cursors.reduce((a, cur) => a + cur.rowsWritten, 0);
      if (reset) c.cursors = [];
      return n;
    });
  return { stub, written: () => read(false), reset: async () => void (await read(true)) };
}

const route = { partition: 0, partitions: 1, numShards: 16 };

function rowsOf(entityId: string, from: number, to: number) {
  return Array.from({ length: to - from + 1 }, (_, i) => ({
    entityId,
    revision: from + i,
    eventType: "test.v1.Thing",
    event: new Uint8Array([1, 2, 3]),
    meta: toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: from + i })),
    state: undefined,
  }));
}

/** The consumer's commit for `entities`, each moving every read side (and the log) from `from - 1` to `to`. */
function batch(entities: string[], sides: { id: string; generation: string }[], from: number, to: number) {
  const shard = (e: string) => partitionsOf().shardOf(e);
  const updates: CursorUpdate[] = entities.flatMap((e) =>
    sides.map((s) => ({
      key: { readSideId: s.id, entityId: e, shard: shard(e) },
      from: { ...freshCursor(s.generation), revision: from - 1 },
      revision: to,
      status: "ok" as const,
      attempts: 0,
      failedRevision: 0,
      lastError: null,
      retryAt: 0,
    })),
  );
  const log = sides.find((s) => s.id === "$log");
  const appends =
    log === undefined ? [] : entities.map((e) => ({ entityId: e, shard: shard(e), generation: log.generation, epoch: 0, fromRevision: from - 1, rows: rowsOf(e, from, to) }));
  return { updates, parked: [], heads: [], appends, now: Date.now() };
}

describe("a partition's commit", () => {
  it("writes one row per entity for the log and every read side, plus one segment row for the batch", async () => {
    const a = freshReadSideId("cost-a");
    const b = freshReadSideId("cost-b");
    await createReadSide({ id: a, auto_start: false });
    await createReadSide({ id: b, auto_start: false });
    await refreshPartitions();
    const sides = [
      { id: "$log", generation: await logGeneration() },
      { id: a, generation: (await generationOf(a)) as string },
      { id: b, generation: (await generationOf(b)) as string },
    ];
    const ids = Array.from({ length: 10 }, () => freshId("cost"));
    const { stub, written, reset } = await countedStore();
    // The entities are new: the load indexes them (a row each, and its shard index entry, once).
    await stub.load(ids.map((e) => ({ entityId: e, shard: partitionsOf().shardOf(e), head: 1 })), Date.now(), route);
    await reset();

    const first = await stub.commit(batch(ids, sides, 1, 1));
    expect(first.applied.size).toBe(30);
    expect(first.appended).toHaveLength(10);
    expect(await written()).toBe(10 + 1);
    await reset();

    // Two events per entity in the next batch: still one row per entity and one segment.
    const second = await stub.commit(batch(ids, sides, 2, 3));
    expect(second.appended).toHaveLength(20);
    expect(await written()).toBe(10 + 1);
    await reset();

    // A stale batch (the same cursors again) applies nothing and writes nothing.
    const stale = await stub.commit(batch(ids, sides, 2, 3));
    expect(stale.applied.size).toBe(0);
    expect(stale.appended).toEqual([]);
    expect(await written()).toBe(0);
  });

  it("applies each cursor's compare-and-set on its own: a race lost by one read side does not stop the others", async () => {
    const a = freshReadSideId("cas-a");
    await createReadSide({ id: a, auto_start: false });
    await refreshPartitions();
    const sides = [
      { id: "$log", generation: await logGeneration() },
      { id: a, generation: (await generationOf(a)) as string },
    ];
    const e = freshId("cas");
    const { stub } = await countedStore();
    expect((await stub.commit(batch([e], [sides[1] as { id: string; generation: string }], 1, 2))).applied.size).toBe(1);
    // The log moves from 0; the read side's update still claims it started at 0 (it lost the race).
    const mixed = await stub.commit(batch([e], sides, 1, 2));
    expect([...mixed.applied]).toEqual([`$log\u0000${e}`]);
    expect(mixed.appended.map((x) => x.revision)).toEqual([1, 2]);
    const row = await runInDurableObject(stub, (_o, st) => st.storage.sql.exec<{ cursors: string; head: number }>("SELECT cursors, head FROM p_entity WHERE entity_id = ?", e).one());
    expect(row.head).toBe(2);
    expect(Object.keys(JSON.parse(row.cursors)).sort()).toEqual(["$log", a].sort());
  });

  it("parks nothing for a delivery whose cursor write lost its compare-and-set", async () => {
    const a = freshReadSideId("park-cas");
    await createReadSide({ id: a, auto_start: false, policy: "SKIP" });
    await refreshPartitions();
    const side = { id: a, generation: (await generationOf(a)) as string };
    const e = freshId("park-cas");
    const { stub } = await countedStore();
    // Another consumer delivered revisions 1..3 (the handler took them all) and committed first.
    expect((await stub.commit(batch([e], [side], 1, 3))).applied.size).toBe(1);
    // This consumer started from 0 too; the handler failed revision 3, so under SKIP it parks it
    // and moves on. Its compare-and-set loses: the event was handled, there is nothing to park.
    const loser = batch([e], [side], 1, 3);
    const parked = [{ readSideId: a, entityId: e, revision: 3, reason: "unavailable: down", attempts: 1 }];
    const result = await stub.commit({ ...loser, parked });
    expect(result.applied.size).toBe(0);
    expect(await stub.listParked(a, { entityId: e, limit: 10 })).toEqual([]);
  });

  it("keeps a restarted read side's new cursors when a commit read the definitions just before the restart", async () => {
    const a = freshReadSideId("regen");
    await createReadSide({ id: a, auto_start: false });
    await refreshPartitions();
    const e = freshId("regen");
    const stub = partitionsOf().store(0);
    expect((await stub.commit(batch([e], [{ id: a, generation: (await generationOf(a)) as string }], 1, 2))).applied.size).toBe(1);
    // The partition's next read of the definitions answers late (D1 answered, the reply is on its way).
    await runInDurableObject(stub, (instance) => {
      const ports = (instance as unknown as { ports: { loadReadSides: () => Promise<ReadSideRecord[]> } }).ports;
      const real = ports.loadReadSides.bind(ports);
      let first = true;
      ports.loadReadSides = async () => {
        const sides = await real();
        if (first) {
          first = false;
          await new Promise((r) => setTimeout(r, 1500));
        }
        return sides;
      };
    });
    await stub.refreshReadSides();
    // A batch that only raises e's head commits; its copy of the definitions is being read.
    const raising = stub.commit({ updates: [], parked: [], heads: [{ entityId: e, shard: partitionsOf().shardOf(e), head: 3 }], appends: [], now: Date.now() });
    await new Promise((r) => setTimeout(r, 50));
    // Meanwhile the operator restarts the read side as a whole, and a delivery of the new generation commits.
    await servicesOf(capturingEnv().e).manager.restart(a);
    const fresh = (await generationOf(a)) as string;
    expect((await stub.commit(batch([e], [{ id: a, generation: fresh }], 1, 1))).applied.size).toBe(1);
    await raising;

    const row = await runInDurableObject(stub, (_o, st) => st.storage.sql.exec<{ cursors: string }>("SELECT cursors FROM p_entity WHERE entity_id = ?", e).one());
    expect(JSON.parse(row.cursors)[a]).toMatchObject({ g: fresh, r: 1 });
  });

  it("forgets, at the entity's next write, the cursors of a read side that was deleted", async () => {
    const gone = freshReadSideId("gone");
    await createReadSide({ id: gone, auto_start: false });
    await refreshPartitions();
    const sides = [{ id: gone, generation: (await generationOf(gone)) as string }];
    const e = freshId("gone");
    const { stub } = await countedStore();
    await stub.commit(batch([e], sides, 1, 1));
    await env.DB.prepare("DELETE FROM sh_read_side WHERE id = ?").bind(gone).run();
    await refreshPartitions();
    await stub.commit({ updates: [], parked: [], heads: [{ entityId: e, shard: partitionsOf().shardOf(e), head: 5 }], appends: [], now: Date.now() });
    const row = await runInDurableObject(stub, (_o, st) => st.storage.sql.exec<{ cursors: string; head: number }>("SELECT cursors, head FROM p_entity WHERE entity_id = ?", e).one());
    expect(row.head).toBe(5);
    expect(JSON.parse(row.cursors)).toEqual({});
  });
});
