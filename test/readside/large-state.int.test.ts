// Entities with states of hundreds of KB: pages are bounded by bytes, and each read side reads its own.
import { describe, expect, it } from "vitest";
import { EntityService } from "../../src/gen/statehouse/v1/entity_pb.js";
import { command, connectClient, freshId } from "../helpers.js";
import { cursorOf as cursorRow } from "../support/pipeline.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

const EVENTS = 44;

/** The revision a read side's cursor has reached for an entity (0 before its first write). */
async function cursorOf(side: string, entity: string): Promise<number> {
  return (await cursorRow(side, entity))?.revision ?? 0;
}
/** Each event carries its ~380 KB state, so a row holds ~760 KB and 44 rows more than 32 MiB. */
const big = (i: number) => ({ _state: { i, blob: "x".repeat(380_000) } });

describe("large states", { timeout: 120_000 }, () => {
  it("a read side that is behind catches up without holding back one that is caught up", async () => {
    const a = freshReadSideId("big-a");
    await behave(a, { mode: "ok" });
    await createReadSide({ id: a });
    const e = freshId("big");
    for (let i = 1; i <= EVENTS; i++) expect((await command(e, { command: { events: [big(i)] } })).status).toBe(200);
    // Polled on the cursor: the handler's log holds every 380 KB state, too heavy to fetch in a loop.
    await eventually(async () => expect(await cursorOf(a, e)).toBe(EVENTS), 60_000);

    const b = freshReadSideId("big-b");
    await behave(b, { mode: "ok" });
    await behave(a, { mode: "ok" });
    await createReadSide({ id: b });
    expect((await command(e, { command: { events: [big(EVENTS + 1)] } })).status).toBe(200);
    await eventually(async () => expect([await cursorOf(a, e), await cursorOf(b, e)]).toEqual([EVENTS + 1, EVENTS + 1]), 60_000);
    expect(okRevisions(await callsOf(a, e))).toEqual([EVENTS + 1]);
    expect(okRevisions(await callsOf(b, e))).toEqual(Array.from({ length: EVENTS + 1 }, (_, i) => i + 1));
    expect((await admin(`/read-sides/${b}/status`)).body).toMatchObject({ lag: 0, stopped: 0, retrying: 0 });
  });

  it("ReadJournal answers a page bounded by bytes, and the next page continues it", async () => {
    const e = freshId("bigj");
    for (let i = 1; i <= 12; i++) expect((await command(e, { command: { events: [big(i)] } })).status).toBe(200);
    const client = connectClient(EntityService);
    const first = await client.readJournal({ entityId: e, limit: 1000 });
    expect(first.events.length).toBeGreaterThan(0);
    expect(first.events.length).toBeLessThan(12);
    const second = await client.readJournal({ entityId: e, fromRevision: first.nextFromRevision, limit: 1000 });
    expect(second.events[0]?.meta?.revisionNumber).toBe(first.events.length + 1);
  });
});
