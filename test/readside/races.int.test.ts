// Interleavings of consumers, operators, the index and the reconciler that once broke the read side's promise.
// Each test deletes the read sides it made, so none of them is behind (or holds back) in the next.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { shardOf } from "../../src/partition/index.js";
import { RECONCILE_GRACE_MS, reconcile } from "../../src/readside/index.js";
import { command, freshId } from "../helpers.js";
import { capturingEnv, consume, cursorOf, editEntityRow, editReadSides, indexHead, parkedOf, partitionsOf, readSidesOf } from "../support/pipeline.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

/** The store of the partition that owns `shard`. */
function storeOfShard(shard: number) {
  const p = partitionsOf();
  return p.store(p.partitionOfShard(shard));
}
/** Adds entities to the index of the partition that owns `shard`, as messages the test never sends would have. */
async function indexEntities(shard: number, rows: { e: string; s: number; h: number }[]) {
  await runInDurableObject(storeOfShard(shard), (_o, state) => {
    state.storage.sql.exec(
      "INSERT INTO p_entity (entity_id, shard, head, cursors, updated_at) SELECT j.value ->> 'e', j.value ->> 's', j.value ->> 'h', '{}', 0 FROM json_each(?1) j WHERE true",
      JSON.stringify(rows),
    );
  });
}
async function removeSides(...ids: string[]) {
  for (const id of ids) await admin(`/read-sides/${id}`, { method: "DELETE" });
}
/** A read side that exists and is running, but received nothing so far (created paused, then unpaused without a sweep). */
async function quietSide(prefix: string, behaviour: Parameters<typeof behave>[1] = { mode: "ok" }, input: Record<string, unknown> = {}) {
  const side = freshReadSideId(prefix);
  await behave(side, behaviour);
  await createReadSide({ id: side, auto_start: false, ...input });
  await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
  return side;
}

/**
 * An operator skips a read side stopped on revision 4 of a 5-event entity while `concurrently`
 * makes the read side start over and stop on revision 1. A partition runs a skip's read and write
 * in one transaction, so the skip applies either before the restart (and the restart replays from
 * 0) or after it (and skips revision 1, the failing head then) — never with a stale view that
 * moves the restarted cursor past revisions it never delivered. Once resumed, the read side hands
 * over (or parks) every revision.
 */
async function skipRacing(prefix: string, concurrently: (side: string, e: string) => Promise<void>, answers = [200, 412]) {
  const e = freshId(prefix);
  await command(e, { command: { events: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }] } });
  // The Worker's own consumer has taken the commit's message before the read side exists.
  await eventually(async () => expect(await indexHead(e)).toBe(5));
  const side = await quietSide(prefix, { mode: "fail-revisions", failRevisions: [4] }, { policy: "STOP" });
  try {
    await consume([{ entityId: e, fromRevision: 1, toRevision: 5, readSideIds: [side] }]);
    expect(await cursorOf(side, e)).toMatchObject({ revision: 3, status: "stopped", failedRevision: 4 });
    const [skip] = await Promise.all([admin(`/read-sides/${side}/skip?entity=${encodeURIComponent(e)}`, { method: "POST" }), concurrently(side, e)]);
    expect(answers).toContain(skip.status);
    const after = await cursorOf(side, e);
    // Whatever the order, the cursor never stands past an event that was neither delivered nor parked.
    const handledSoFar = new Set([...okRevisions(await callsOf(side, e)), ...(await parkedOf(side, e))]);
    for (let r = 1; r <= (after?.revision ?? 0); r++) expect(handledSoFar.has(r)).toBe(true);
    await behave(side, { mode: "ok" });
    expect((await admin(`/read-sides/${side}/resume`, { method: "POST" })).status).toBe(200);
    await consume([{ entityId: e, fromRevision: 1, toRevision: 5, readSideIds: [side] }]);
    // The resume's sweep may have the pair claimed in the Worker's own consumer: it delivers, this batch defers to it.
    await eventually(async () => {
      const handled = [...new Set([...okRevisions(await callsOf(side, e)), ...(await parkedOf(side, e))])].sort((x, y) => x - y);
      expect(handled).toEqual([1, 2, 3, 4, 5]);
    });
  } finally {
    await removeSides(side);
  }
}

describe("read-side races", { timeout: 60_000 }, () => {
  it("a read side disabled while events commit is caught up when enabled again", async () => {
    const witness = freshReadSideId("witness");
    const side = freshReadSideId("disabled");
    await behave(witness, { mode: "ok" });
    await behave(side, { mode: "ok" });
    await createReadSide({ id: witness });
    await createReadSide({ id: side });
    const e = freshId("disabled");
    try {
      await command(e, { command: { events: [{ n: 1 }] } });
      await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1]));
      expect((await admin(`/read-sides/${side}`, { method: "PATCH", body: JSON.stringify({ enabled: false }) })).status).toBe(200);
      await command(e, { command: { events: [{ n: 2 }, { n: 3 }] } });
      // The queue message for 2..3 has been consumed (the witness has them): nothing delivered it to the disabled side.
      await eventually(async () => expect(okRevisions(await callsOf(witness, e))).toEqual([1, 2, 3]));
      expect((await admin(`/read-sides/${side}`, { method: "PATCH", body: JSON.stringify({ enabled: true }) })).status).toBe(200);
      // While it was disabled the consumer held it back, so the index learned head 3 for the sweep.
      expect(await indexHead(e)).toBe(3);
      await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]), 10_000);
    } finally {
      await removeSides(witness, side);
    }
  });

  it("an entity whose first message was lost is indexed by its next one, so a read side created later receives it", async () => {
    const witness = freshReadSideId("first-w");
    await behave(witness, { mode: "ok" });
    await createReadSide({ id: witness });
    const e = freshId("first");
    const later = freshReadSideId("first-new");
    try {
      // Revision 1 commits while the witness is disabled: the consumer's one D1 write for it is
      // the index insert of the entity's first message (a disabled side is neither delivered to nor held).
      await editReadSides("UPDATE sh_read_side SET enabled = 0 WHERE id = ?", witness);
      await command(e, { command: { events: [{ n: 1 }] } });
      await eventually(async () => expect(await indexHead(e)).toBe(1));
      // D1 is put back to what it is had that one Queue message been lost: no index row.
      await editEntityRow(e, "DELETE FROM p_entity WHERE entity_id = ?1");
      await editReadSides("UPDATE sh_read_side SET enabled = 1 WHERE id = ?", witness);
      // Revision 2's message arrives (fromRevision 2): the witness gets 1 and 2, and the batch adds
      // the entity the index lacked.
      await command(e, { command: { events: [{ n: 2 }] } });
      await eventually(async () => expect(okRevisions(await callsOf(witness, e))).toEqual([1, 2]));
      await runDurableObjectAlarm(env.ENTITY.get(env.ENTITY.idFromName(e)));
      expect(await indexHead(e)).toBeGreaterThanOrEqual(1);
      // A read side created now sweeps the index, and the reconciler walks it: neither finds the entity.
      await behave(later, { mode: "ok" });
      await createReadSide({ id: later });
      await reconcile(readSidesOf(), Date.now() + 2 * RECONCILE_GRACE_MS);
      await reconcile(readSidesOf(), Date.now() + 4 * RECONCILE_GRACE_MS);
      await eventually(async () => expect(okRevisions(await callsOf(later, e))).toEqual([1, 2]), 10_000);
    } finally {
      await removeSides(witness, later);
    }
  });

  it("a skip racing with a delete-and-recreate does not hand the old read side's failed position to the new one", async () => {
    await skipRacing("skipgen", async (side, e) => {
      expect((await admin(`/read-sides/${side}`, { method: "DELETE" })).status).toBe(200);
      await behave(side, { mode: "fail-revisions", failRevisions: [1] });
      await createReadSide({ id: side, policy: "STOP", auto_start: false });
      await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
      await consume([{ entityId: e, fromRevision: 1, toRevision: 5, readSideIds: [side] }]);
      // Between the delete and the create there is no such read side: the skip may find none (404).
    }, [200, 404, 412]);
  });

  it("a skip racing with a restart does not move the restarted cursor past revisions it never delivered", async () => {
    await skipRacing("skiprst", async (side, e) => {
      expect((await admin(`/read-sides/${side}/restart`, { method: "POST" })).status).toBe(200);
      await behave(side, { mode: "fail-revisions", failRevisions: [1] });
      await consume([{ entityId: e, fromRevision: 1, toRevision: 5, readSideIds: [side] }]);
    });
  });

  it("a paused shard's entities do not use up the reconciler's budget: a lost message elsewhere is re-enqueued", async () => {
    const side = freshReadSideId("starve");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const e = freshId("zz-starve");
    const pausedShard = (shardOf(e, 16) + 1) % 16;
    try {
      // The read side is behind on e with nothing in flight (its message is gone): exactly what the reconciler is for.
      await admin(`/read-sides/${side}/pause`, { method: "POST" });
      await command(e, { command: { events: [{ n: 1 }, { n: 2 }] } });
      await eventually(async () => expect(await indexHead(e)).toBe(2));
      await editReadSides("UPDATE sh_read_side SET paused = 0 WHERE id = ?", side);
      // Another shard of the same read side is paused, and holds 500 entities it is behind on.
      await editReadSides("INSERT INTO sh_read_side_shard_pause (read_side_id, shard) VALUES (?, ?)", side, pausedShard);
      const dummies = Array.from({ length: 500 }, (_, i) => ({ e: `a-paused-${String(i).padStart(3, "0")}`, s: pausedShard, h: 1 }));
      await indexEntities(pausedShard, dummies);
      const found: string[] = [];
      for (let run = 1; run <= 3; run++) {
        const { e: captured, sent } = capturingEnv();
        await reconcile(readSidesOf(captured), Date.now() + (run + 1) * RECONCILE_GRACE_MS);
        const forSide = sent.filter((b) => Array.isArray(b.readSideIds) && b.readSideIds.includes(side));
        found.push(...forSide.filter((b) => b.entityId === e).map((b) => b.entityId as string));
        // Nothing it enqueues for this read side is in its paused shard, where the consumer would only hold it back.
        // (The event log's own read side is behind on those entities too, and gets its share of the budget.)
        expect(forSide.filter((b) => typeof b.entityId === "string" && b.entityId.startsWith("a-paused-"))).toEqual([]);
      }
      expect(found).toContain(e);
    } finally {
      await runInDurableObject(storeOfShard(pausedShard), (_o, state) => void state.storage.sql.exec("DELETE FROM p_entity WHERE entity_id LIKE 'a-paused-%'"));
      await removeSides(side);
    }
  });

  it("a message whose pair was claimed by a batch already settling is still delivered", async () => {
    const witness = freshReadSideId("claim-w");
    await behave(witness, { mode: "ok" });
    await createReadSide({ id: witness });
    const e = freshId("claim");
    await command(e, { command: { events: [{ n: 1 }, { n: 2 }, { n: 3 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(witness, e))).toEqual([1, 2, 3]));
    // A handles everything; B fails revision 3 once (a retry: this batch will enqueue a follow-up).
    const a = await quietSide("claim-a");
    const b = await quietSide("claim-b", { mode: "fail-revisions", failRevisions: [3], failTimes: 1 }, { policy: "REPLAY_STOP", retries: 5, backoff_ms: 1000 });
    try {
      // Batch X delivers 1..3 to A and B. While it enqueues B's follow-up (its claims on (A, e)
      // and (B, e) still held), revision 4 commits and its Queue message is consumed in this
      // isolate: it finds both pairs claimed, leaves them to X, and is acked.
      let hooked = false;
      const sendBatch = async (msgs: MessageSendRequest[]) => {
        if (!hooked) {
          hooked = true;
          await command(e, { command: { events: [{ n: 4 }] } });
          await eventually(async () => expect(okRevisions(await callsOf(witness, e))).toEqual([1, 2, 3, 4]));
        }
        return env.EVENTS.sendBatch(msgs);
      };
      const xEnv = { ...env, EVENTS: { send: env.EVENTS.send.bind(env.EVENTS), sendBatch } } as unknown as Env;
      const x = await consume([{ entityId: e, fromRevision: 1, toRevision: 3, readSideIds: [a, b] }], xEnv);
      expect(hooked).toBe(true);
      expect(x.explicitAcks).toHaveLength(1);
      // B's follow-up reads the journal's head and reaches 4; A had nothing in flight for 4.
      await eventually(async () => expect(okRevisions(await callsOf(b, e)).at(-1)).toBe(4));
      await eventually(async () => expect(okRevisions(await callsOf(a, e))).toEqual([1, 2, 3, 4]), 10_000);
    } finally {
      await removeSides(witness, a, b);
    }
  });
});
