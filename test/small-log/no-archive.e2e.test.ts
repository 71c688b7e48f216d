// A deployment without the LOG_ARCHIVE binding: nothing is archived and retention alone bounds the log, which never pauses at the store's cap.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { RECONCILE_GRACE_MS, reconcile } from "../../src/readside/index.js";
import { call, command, freshId } from "../helpers.js";
import { eventually } from "../readside/helpers.js";
import { cursorOf, partitionsOf, readSidesOf } from "../support/pipeline.js";

/** Partition 0 as a deployment without the LOG_ARCHIVE binding builds it (its archive port undefined). */
async function unbindArchive(): Promise<void> {
  await runInDurableObject(partitionsOf().store(0), (instance) => {
    const o = instance as unknown as { ports: { archive: unknown } };
    o.ports = { ...o.ports, archive: undefined };
  });
}

describe("a log without an archive bucket", { timeout: 60_000 }, () => {
  it("takes every event past STATEHOUSE_LOG_HOT_MAX_ENTRIES: retention alone bounds it, as before the archive", async () => {
    await unbindArchive();
    const e = freshId("noarc");
    // 12 commands of one event: 12 segments, past the cap of 8.
    for (let i = 1; i <= 12; i++) expect((await command(e, { command: { events: [{ i }] } })).status).toBe(200);
    await eventually(async () => {
      await reconcile(readSidesOf(), Date.now() + 10 * RECONCILE_GRACE_MS);
      const body = (await (await call(`/api/v1/log?from=1&limit=100`)).json()) as { entries: { entity_id: string; revision: number }[] };
      expect(body.entries.filter((x) => x.entity_id === e).map((x) => x.revision)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    }, 20_000);
    expect(await cursorOf("$log", e)).toMatchObject({ revision: 12, status: "ok" });
  });
});
