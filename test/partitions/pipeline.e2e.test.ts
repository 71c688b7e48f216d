// Two partitions: commands to entities of both reach read sides once and in order, operators see both, one partition's faults stay its own.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, command, freshId } from "../helpers.js";
import { admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "../readside/helpers.js";
import { consume, cursorOf, editReadSides, indexHead, partitionsOf, withPartitionHook } from "../support/pipeline.js";

/** A fresh entity id whose shard belongs to partition `p`. */
function idIn(p: number, prefix = "pe"): string {
  const partitions = partitionsOf();
  for (;;) {
    const id = freshId(prefix);
    if (partitions.partitionOf(id) === p) return id;
  }
}

describe("two partitions", { timeout: 60_000 }, () => {
  it("runs with the partitions the configuration names", () => {
    expect(partitionsOf().count).toBe(2);
    expect(env.STATEHOUSE_PARTITIONS).toBe("2");
  });

  it("delivers the events of entities in both partitions to a read side, once each and in order", async () => {
    const side = freshReadSideId("both");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const ids = [idIn(0), idIn(1), idIn(0), idIn(1)];
    for (const e of ids) {
      await command(e, { command: { events: [{ n: 1 }, { n: 2 }] } });
      await command(e, { command: { events: [{ n: 3 }] } });
    }
    for (const e of ids) {
      await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
      assertOrdered(await callsOf(side, e));
      // The webhook saw revision 3 before the consumer's commit moved the cursor.
      await eventually(async () => expect(await cursorOf(side, e)).toMatchObject({ revision: 3, status: "ok" }));
    }
    // The operator's view adds up over both partitions.
    const status = await admin(`/read-sides/${side}/status`);
    expect(status.body).toMatchObject({ lag: 0, retrying: 0, stopped: 0 });
    expect(status.body.entities).toBeGreaterThanOrEqual(4);
    const cursors = await admin(`/read-sides/${side}/cursors?limit=1000`);
    const listed = (cursors.body.cursors as { entity_id: string }[]).map((c) => c.entity_id);
    for (const e of ids) expect(listed).toContain(e);
    expect(listed).toEqual([...listed].sort());
    // CoS's offsets per shard: the two partitions' shards together.
    const offsets = await admin(`/read-sides/${side}/offsets`);
    expect((offsets.body.offsets as unknown[]).length).toBe(16);
    const shardsOf = (p: number) => ids.filter((e) => partitionsOf().partitionOf(e) === p).map((e) => partitionsOf().shardOf(e));
    for (const p of [0, 1]) {
      for (const shard of shardsOf(p)) {
        expect((offsets.body.offsets as { shard: number; offset: number }[]).find((o) => o.shard === shard)?.offset).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it("pauses one shard in its partition and resumes it without touching the others", async () => {
    const side = freshReadSideId("shard");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const a = idIn(1);
    const b = idIn(0);
    const shard = partitionsOf().shardOf(a);
    expect((await admin(`/read-sides/${side}/pause?shard=${shard}`, { method: "POST" })).status).toBe(200);
    await command(a, { command: { events: [{ n: 1 }] } });
    await command(b, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, b))).toEqual([1]));
    await eventually(async () => expect(await indexHead(a)).toBe(1));
    expect(await callsOf(side, a)).toEqual([]);
    expect((await admin(`/read-sides/${side}/resume?shard=${shard}`, { method: "POST" })).status).toBe(200);
    await eventually(async () => expect(okRevisions(await callsOf(side, a))).toEqual([1]));
  });

  it("a partition whose store fails retries its own messages while the other partition's are delivered, and catches up after", async () => {
    const side = freshReadSideId("down");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, auto_start: false });
    const up = idIn(0, "up");
    const down = idIn(1, "down");
    // Both entities commit while the read side is paused; the Worker's consumer only indexes them.
    await command(up, { command: { events: [{ n: 1 }, { n: 2 }] } });
    await command(down, { command: { events: [{ n: 1 }, { n: 2 }] } });
    await eventually(async () => expect([await indexHead(up), await indexHead(down)]).toEqual([2, 2]));
    await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);

    // Partition 1's store is unreachable for this batch, which holds news of both entities.
    const broken = withPartitionHook(async (method, partition, call) => {
      if (partition === 1 && (method === "load" || method === "commit")) throw new Error("Network connection lost.");
      return call();
    });
    const result = await consume(
      [
        { entityId: up, fromRevision: 1, toRevision: 2, readSideIds: [side] },
        { entityId: down, fromRevision: 1, toRevision: 2, readSideIds: [side] },
      ],
      broken,
    );
    expect(okRevisions(await callsOf(side, up))).toEqual([1, 2]);
    expect(await callsOf(side, down)).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(1);
    // The store is back: the retried message (here, handed over again) delivers the rest.
    await consume([{ entityId: down, fromRevision: 1, toRevision: 2, readSideIds: [side] }]);
    expect(okRevisions(await callsOf(side, down))).toEqual([1, 2]);
    expect(okRevisions(await callsOf(side, up))).toEqual([1, 2]);
  });

  it("finds entities by prefix across both partitions, merged in id order and paged", async () => {
    const prefix = `${freshId("both")}-`;
    // Three ids in each partition (by their shard), so the page merges both.
    const perPartition = [0, 0];
    const ids: string[] = [];
    for (let i = 0; ids.length < 6 && i < 1000; i++) {
      const id = `${prefix}${i}`;
      const p = partitionsOf().partitionOf(id);
      if ((perPartition[p] as number) < 3) {
        perPartition[p] = (perPartition[p] as number) + 1;
        ids.push(id);
      }
    }
    expect(perPartition).toEqual([3, 3]);
    for (const id of ids) await command(id, { command: { events: [{ n: 1 }] } });
    const find = async (query: string) => (await call(`/api/v1/entities?prefix=${encodeURIComponent(prefix)}&${query}`)).json() as Promise<any>;
    await eventually(async () => expect((await find("limit=100")).entities.map((e: any) => e.entity_id)).toEqual([...ids].sort()));
    const first = await find("limit=4");
    const rest = await find(`limit=4&after=${encodeURIComponent(first.next_after)}`);
    expect([...first.entities, ...rest.entities].map((e: any) => e.entity_id)).toEqual([...ids].sort());
    expect(rest.next_after).toBe("");
  });

  it("a partition whose consumer lags holds back only its own entities", async () => {
    const side = freshReadSideId("lag");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, auto_start: false });
    await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
    const fast = idIn(0, "fast");
    const slow = idIn(1, "slow");
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    // Partition 1's store answers only when released, as a consumer far behind on its queue.
    const lagging = withPartitionHook(async (method, partition, call) => {
      if (partition === 1 && method === "load") await held;
      return call();
    });
    const fastDone = consume([{ entityId: fast, fromRevision: 1, toRevision: 1, readSideIds: [side] }], lagging);
    await command(fast, { command: { events: [{ n: 1 }] } });
    await command(slow, { command: { events: [{ n: 1 }] } });
    const slowDone = consume([{ entityId: slow, fromRevision: 1, toRevision: 1, readSideIds: [side] }], lagging);
    await fastDone;
    // The Queue's own consumer delivers these entities too, racing this one: at least once, so a
    // revision may arrive twice (both calls before either commits its cursor), never out of order.
    await eventually(async () => expect(distinct(okRevisions(await callsOf(side, fast)))).toEqual([1]));
    release();
    await slowDone;
    await eventually(async () => expect(distinct(okRevisions(await callsOf(side, slow)))).toEqual([1]));
    assertOrdered(await callsOf(side, slow));
  });

  it("skips a failing entity in partition 1 by id, and restarts a whole read side across both partitions", async () => {
    const side = freshReadSideId("ops");
    await behave(side, { mode: "fail-revisions", failRevisions: [2] });
    await createReadSide({ id: side, policy: "STOP" });
    const a = idIn(1, "ops");
    const b = idIn(0, "ops");
    await command(a, { command: { events: [{ n: 1 }, { n: 2 }, { n: 3 }] } });
    await command(b, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(await cursorOf(side, a)).toMatchObject({ revision: 1, status: "stopped", failedRevision: 2 }));
    await eventually(async () => expect(okRevisions(await callsOf(side, b))).toEqual([1]));
    // (The read side also replays the file's earlier entities, which fail on their revision 2 too.)
    const status = (await admin(`/read-sides/${side}/status`)).body;
    expect(status.stopped).toBeGreaterThanOrEqual(1);
    expect((status.failing as { entity_id: string }[]).map((f) => f.entity_id)).toContain(a);
    await behave(side, { mode: "ok" });
    const skip = await admin(`/read-sides/${side}/skip?entity=${encodeURIComponent(a)}`, { method: "POST" });
    expect(skip.body).toEqual({ skipped: 1 });
    await eventually(async () => expect(okRevisions(await callsOf(side, a))).toEqual([3]));
    expect((await admin(`/read-sides/${side}/parked?entity=${encodeURIComponent(a)}`)).body.parked).toMatchObject([{ entity_id: a, revision: 2 }]);
    // A whole restart replays both partitions' entities.
    await behave(side, { mode: "ok" });
    expect((await admin(`/read-sides/${side}/restart`, { method: "POST" })).status).toBe(200);
    await eventually(async () => expect(okRevisions(await callsOf(side, a))).toEqual([1, 2, 3]));
    await eventually(async () => expect(okRevisions(await callsOf(side, b))).toEqual([1]));
    await eventually(async () => expect((await admin(`/read-sides/${side}/status`)).body).toMatchObject({ stopped: 0, parked: 0 }));
  });
});

/** Each revision once, in first-seen order. */
function distinct(revisions: number[]): number[] {
  return [...new Set(revisions)];
}
