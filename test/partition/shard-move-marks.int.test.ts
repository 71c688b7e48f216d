// A shard move carries each entity's marks: the new owner reads the same waits, and a page taken twice changes none.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readEntityRow, writeEntityRows } from "../../src/partition/entity-rows.js";
import { type ShardPage, exportShardPage, importShardPage } from "../../src/partition/shard-moves.js";
import { type Mark, waitingSince } from "../../src/partition/waiting.js";

describe("marks across a shard move", () => {
  it("arrive with the rows, read the same waits, and merge with a row the new owner indexed meanwhile without reading younger", async () => {
    const from = env.PARTITION.get(env.PARTITION.idFromName(`marks-from-${Date.now()}`));
    const to = env.PARTITION.get(env.PARTITION.idFromName(`marks-to-${Date.now()}`));
    const marks: Mark[] = [
      [1, 1_000],
      [5, 3_000],
      [9, 7_000],
    ];
    const page = await runInDurableObject(from, (_o, state): ShardPage => {
      writeEntityRows(state.storage.sql, [{ entityId: "m", shard: 4, head: 10, cursors: {}, updatedAt: 7_000, marks }]);
      return exportShardPage(state.storage.sql, 4, "");
    });
    await runInDurableObject(to, (_o, state) => {
      const sql = state.storage.sql;
      // A dead letter indexed the entity at the new owner before its rows arrived.
      writeEntityRows(sql, [{ entityId: "m", shard: 4, head: 11, cursors: {}, updatedAt: 8_000, marks: [[1, 8_000]] }]);
      importShardPage(sql, page);
      importShardPage(sql, page);
      const row = readEntityRow(sql, "m");
      expect(row?.head).toBe(11);
      for (let r = 0; r < 11; r++) expect(waitingSince(row?.marks ?? [], r)).toBe(waitingSince(marks, r));
    });
  });
});
