// What a command costs in SQLite rows: about one row written per event (the platform bills rows).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:test";
import { command, freshId } from "../helpers.js";

async function rowsWritten(id: string): Promise<number> {
  const stub = env.ENTITY.get(env.ENTITY.idFromName(id));
  return (await stub.rowCounts()).rowsWritten;
}

describe("rows written", () => {
  it("is one per event for a single-event command", async () => {
    const id = freshId("cost");
    await command(id, { command: {} });
    expect(await rowsWritten(id)).toBe(1);
  });

  it("is one per event for a multi-event command, plus one per snapshot taken", async () => {
    const id = freshId("cost");
    // Frequency 3 in tests: five events take one snapshot (at revision 3).
    await command(id, { command: { events: [{}, {}, {}, {}, {}] } });
    expect(await rowsWritten(id)).toBe(6);
  });

  it("is zero for a no-event command", async () => {
    const id = freshId("cost");
    await command(id, { command: {} });
    const before = await rowsWritten(id);
    await command(id, { command: { op: "noop" } });
    expect(await rowsWritten(id)).toBe(before);
  });
});
