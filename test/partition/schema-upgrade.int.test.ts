// A partition store created before a column existed is brought up to the current schema when its object starts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readEntityRow } from "../../src/partition/entity-rows.js";
import { upgradePartitionSchema } from "../../src/partition/schema.js";

describe("partition schema upgrade", () => {
  it("adds marks to an entity table without them, keeps its rows, and does nothing the second time", async () => {
    const stub = env.PARTITION.get(env.PARTITION.idFromName(`schema-upgrade-${Date.now()}`));
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      // The table as stores before `marks` had it.
      sql.exec("DROP TABLE p_entity");
      sql.exec(
        "CREATE TABLE p_entity (entity_id TEXT PRIMARY KEY, shard INTEGER NOT NULL, head INTEGER NOT NULL, cursors TEXT NOT NULL DEFAULT '{}', updated_at INTEGER NOT NULL) WITHOUT ROWID",
      );
      sql.exec(`INSERT INTO p_entity VALUES ('old', 3, 7, '{"rs":{"g":"g1","r":5,"u":1}}', 42)`);
      upgradePartitionSchema(sql);
      upgradePartitionSchema(sql);
      const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('p_entity')").toArray().map((c) => c.name);
      expect(columns).toEqual(["entity_id", "shard", "head", "cursors", "updated_at", "marks"]);
      expect(readEntityRow(sql, "old")).toMatchObject({ entityId: "old", shard: 3, head: 7, updatedAt: 42, marks: [] });
    });
  });
});
