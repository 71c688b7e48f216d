// Upgrading from before partitions while the new deployment's consumers already call partition 0: each load runs a step of the import, concurrently.
import { env, runInDurableObject } from "cloudflare:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import type { LegacyStore } from "../../src/control/index.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { encodeBase64 } from "../../src/payload/index.js";
import { freshId, structAny } from "../helpers.js";
import { partitionsOf } from "../support/pipeline.js";

const route = { partition: 0, partitions: 1, numShards: 16 };
/** More than one page of the import's log stage (500 rows a page). */
const OLD_ENTRIES = 1200;

/** Inserts D1 log rows 1..n as the version before partitions kept them (one entity, revision = offset). */
async function seedOldLog(entityId: string, n: number): Promise<void> {
  const event = encodeBase64(toBinary(AnySchema, structAny({ old: true })));
  const statements = [];
  for (let from = 1; from <= n; from += 50) {
    const rows = Array.from({ length: Math.min(50, n - from + 1) }, (_, i) => from + i);
    const meta = rows.map((r) => encodeBase64(toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: r }))));
    statements.push(
      env.DB.prepare(
        `INSERT INTO sh_log (log_offset, entity_id, revision, event_type, event, meta, state, appended_at)
         SELECT j.value ->> 'o', ?1, j.value ->> 'o', 'google.protobuf.Struct', ?2, j.value ->> 'm', NULL, ?3 FROM json_each(?4) j`,
      ).bind(entityId, event, Date.now() - 60_000 + from, JSON.stringify(rows.map((o, i) => ({ o, m: meta[i] })))),
    );
  }
  await env.DB.batch(statements);
}

/** Whether partition 0 has finished taking over what D1 held. */
async function importDone(): Promise<boolean> {
  return runInDurableObject(partitionsOf().store(0), (_o, state) =>
    state.storage.sql.exec<{ value: string }>("SELECT value FROM p_info WHERE key = 'legacy'").toArray().some((r) => r.value.includes('"done"')),
  );
}

describe("the legacy import under concurrent consumers", { timeout: 60_000 }, () => {
  it("copies the old log once, at the offsets it had, when several loads drive the import at the same time", async () => {
    const e = freshId("legacy-race");
    await seedOldLog(e, OLD_ENTRIES);
    const store = partitionsOf().store(0);
    // D1 answers the import's log pages in 20 ms (a real database is farther away than a local one).
    await runInDurableObject(store, (instance) => {
      const ports = (instance as unknown as { ports: { legacy: LegacyStore } }).ports;
      const real = ports.legacy;
      ports.legacy = { ...real, log: async (...args) => (await new Promise((r) => setTimeout(r, 20)), real.log(...args)) };
    });
    // The new deployment's consumers: several batches reach partition 0 at once, again and again,
    // while it is still copying D1 (each load answers "wait" and runs one step of the import).
    for (let round = 0; round < 200 && !(await importDone()); round++) {
      // (A load that fails is retried by its consumer: only the outcome matters here.)
      await Promise.allSettled(Array.from({ length: 6 }, () => store.load([{ entityId: e, shard: partitionsOf().shardOf(e), head: OLD_ENTRIES }], Date.now(), route)));
    }
    // Every old entry once, at its old offset (a stored position still names the same entry).
    const bounds = await store.logBounds();
    const page = await store.readLog({ from: 1, limit: 2 * OLD_ENTRIES, maxBytes: 256 * 1024 * 1024 });
    const misplaced = page.entries.filter((x) => x.revision !== x.offset).map((x) => `${x.offset}:${x.revision}`);
    expect({ bounds, entries: page.entries.length, misplaced: misplaced.slice(0, 5) }).toEqual({ bounds: { head: OLD_ENTRIES, first: 1 }, entries: OLD_ENTRIES, misplaced: [] });
  });
});
