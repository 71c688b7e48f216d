// Helpers for the compaction tests (strict project: snapshot every 3, keep 2, logical deletion on).
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { callsOf, eventually, okRevisions } from "../readside/helpers.js";
import { cursorOf, parkedOf } from "../support/pipeline.js";

/** The entity's Durable Object. */
export const entityStub = (id: string) => env.ENTITY.get(env.ENTITY.idFromName(id));

/** The oldest revision the entity's journal still holds. */
export async function firstRetained(id: string): Promise<number> {
  const page = await entityStub(id).readJournal({ entityId: id, fromRevision: 1, limit: 1 });
  if (!page.ok) throw new Error(page.error.message);
  return page.value.firstRetainedRevision;
}

export { cursorOf, parkedOf } from "../support/pipeline.js";

/** a, a + 1, …, b. */
export const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/**
 * The promise after a compaction: once the cursor settles, either it stopped with "events
 * compacted before delivery", or every revision 1..head was handed over successfully at some point
 * (`earlier` adds what was delivered before the handler's log was last cleared) or parked.
 */
export async function expectNoSilentGap(side: string, e: string, head: number, earlier: number[] = []): Promise<void> {
  const cursor = await eventually(async () => {
    const c = await cursorOf(side, e);
    expect(c !== undefined && (c.status === "stopped" || (c.status === "ok" && c.revision === head))).toBe(true);
    return c as NonNullable<typeof c>;
  });
  if (cursor.status === "stopped") {
    expect(cursor.lastError).toContain("events compacted before delivery");
    return;
  }
  const handled = [...new Set([...earlier, ...okRevisions(await callsOf(side, e)), ...(await parkedOf(side, e))])].sort((a, b) => a - b);
  expect({ handled, cursor }).toEqual({ handled: range(1, head), cursor });
}
