// Carried rows in the outbox message: a commit of many small rows is still published.
// Each test deletes the read sides it made.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_CARRIED_BYTES } from "../../src/entity/outbox.js";
import { command, freshId } from "../helpers.js";
import { indexHead } from "../support/pipeline.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

const stub = (id: string) => env.ENTITY.get(env.ENTITY.idFromName(id));
async function journalBytes(id: string): Promise<{ rows: number; bytes: number }> {
  let from = 1;
  let rows = 0;
  let bytes = 0;
  for (;;) {
    const page = await stub(id).readJournal({ entityId: id, fromRevision: from, limit: 1000 });
    if (!page.ok) throw new Error(page.error.message);
    for (const r of page.value.events) {
      rows++;
      bytes += r.event.byteLength + r.state.byteLength + r.meta.byteLength;
    }
    if (page.value.nextFromRevision === 0) return { rows, bytes };
    from = page.value.nextFromRevision;
  }
}

describe("carried rows and the outbox", { timeout: 120_000 }, () => {
  it("a commit whose many small rows fit MAX_CARRIED_BYTES is still published (the Queue message stays under 128 KB)", async () => {
    const witness = freshReadSideId("carry-w");
    await behave(witness, { mode: "ok" });
    await createReadSide({ id: witness });
    try {
      // Size of one small row (event, state and meta), measured on a probe entity.
      const probe = freshId("c");
      const small = { _type: "a", _state: {} };
      expect((await command(probe, { command: { events: [small] } })).status).toBe(200);
      const one = await journalBytes(probe);
      // As many rows as fit in MAX_CARRIED_BYTES, with a margin per row for the varints that grow
      // past the probe's: the revision number (1 → 2 bytes) and revision_date's nanos (absent when
      // the probe committed on a whole second, up to 6 bytes otherwise). The outbox keeps every one
      // of them and sends them in one v8 message.
      const n = Math.floor((MAX_CARRIED_BYTES - 2_000) / (one.bytes + 8));
      // Control: half as many rows of the same shape are published and delivered.
      const half = freshId("c");
      expect((await command(half, { command: { events: Array.from({ length: Math.floor(n / 2) }, () => small) } })).status).toBe(200);
      await eventually(async () => expect(okRevisions(await callsOf(witness, half)).length).toBe(Math.floor(n / 2)), 60_000);
      const e = freshId("c");
      expect((await command(e, { command: { events: Array.from({ length: n }, () => small) } })).status).toBe(200);
      const all = await journalBytes(e);
      expect(all.rows).toBe(n);
      expect(all.bytes).toBeLessThanOrEqual(MAX_CARRIED_BYTES);
      // The alarm re-sends what the Queue has not accepted (three times here).
      for (let i = 0; i < 3; i++) await runDurableObjectAlarm(stub(e));
      // Every committed revision reaches the running read side.
      await eventually(async () => {
        expect({ indexed: await indexHead(e), delivered: okRevisions(await callsOf(witness, e)).length }).toEqual({ indexed: expect.any(Number), delivered: n });
      }, 60_000);
    } finally {
      await admin(`/read-sides/${witness}`, { method: "DELETE" });
    }
  });
});
