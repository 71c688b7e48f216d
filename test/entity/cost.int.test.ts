// What a command costs in SQLite rows: about one row written per event (the platform bills rows).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { command, freshId, state } from "../helpers.js";

async function rowsWritten(id: string): Promise<number> {
  const stub = env.ENTITY.get(env.ENTITY.idFromName(id));
  return (await stub.rowCounts()).rowsWritten;
}

describe("rows written", () => {
  it("is three for a new entity's first event: its journal table (two rows) and the event", async () => {
    const id = freshId("cost");
    await command(id, { command: {} });
    expect(await rowsWritten(id)).toBe(3);
  });

  it("is one per event after that", async () => {
    const id = freshId("cost");
    await command(id, { command: {} });
    const before = await rowsWritten(id);
    await command(id, { command: {} });
    expect(await rowsWritten(id)).toBe(before + 1);
  });

  it("is one per event for a multi-event command, plus one snapshot (and its table, once)", async () => {
    const id = freshId("cost");
    await command(id, { command: {} });
    const before = await rowsWritten(id);
    // Frequency 3 in tests: events 2..6 cross revisions 3 and 6; one command takes one snapshot,
    // at the newest multiple (6), and creates the snapshot table (two rows) with it.
    await command(id, { command: { events: [{}, {}, {}, {}, {}] } });
    expect(await rowsWritten(id)).toBe(before + 5 + 1 + 2);
  });

  it("is zero for a no-event command", async () => {
    const id = freshId("cost");
    await command(id, { command: {} });
    const before = await rowsWritten(id);
    await command(id, { command: { op: "noop" } });
    expect(await rowsWritten(id)).toBe(before);
  });

  it("is zero for reads of an entity that does not exist", async () => {
    const id = freshId("cost");
    expect((await state(id)).status).toBe(404);
    await command(id, { command: { op: "noop" } });
    expect(await rowsWritten(id)).toBe(0);
  });
});
