// The entity index's heads raised from outside a batch (the reconciler's walk, dead letters): marks stay bounded.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { raiseHeads } from "../../src/partition/entity-index.js";
import { readEntityRow } from "../../src/partition/entity-rows.js";
import { MAX_MARKS, waitingSince } from "../../src/partition/waiting.js";

describe("raising heads outside a batch", () => {
  it("keeps at most MAX_MARKS marks however often a head rises with no commit in between, and a wait never reads shorter", async () => {
    const stub = env.PARTITION.get(env.PARTITION.idFromName(`raise-heads-${Date.now()}`));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      // A consumer that cannot commit (its messages dead-letter) while the reconciler walks: one rise per event.
      for (let head = 1; head <= 40; head++) raiseHeads(sql, [{ entityId: "e", shard: 3, head }], 1_000 * head);
      const row = readEntityRow(sql, "e");
      expect(row?.head).toBe(40);
      expect(row?.marks.length).toBeLessThanOrEqual(MAX_MARKS);
      // Revision r + 1 was first known at (r + 1) s: a cursor at r reads that or older.
      for (let r = 0; r < 40; r++) expect(waitingSince(row?.marks ?? [], r)).toBeLessThanOrEqual(1_000 * (r + 1));
    });
  });
});
