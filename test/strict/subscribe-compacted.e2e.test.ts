// Subscribing below the retained journal window (snapshot every 3, keep 2, logical deletion on) is OUT_OF_RANGE, never a silent gap.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connectError, freshId } from "../helpers.js";
import { commitEach, openSse, revisions, sseReader, subscribe } from "../streams/helpers.js";
import { entityStub, firstRetained } from "./helpers.js";

describe("subscribing to a compacted entity", { timeout: 20_000 }, () => {
  it("refuses a from below the first retained revision, naming it, and serves one at it", async () => {
    const id = freshId("compacted");
    await commitEach(id, 1, 12);
    await runDurableObjectAlarm(entityStub(id));
    const first = await firstRetained(id);
    expect(first).toBeGreaterThan(1);

    const res = await openSse(id, "?from=1");
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expect(body.code).toBe("out_of_range");
    expect(body.message).toContain(`the journal starts at revision ${first}`);

    const err = await connectError(() => subscribe({ entityId: id, fromRevision: first - 1 }).take(1));
    expect(err.code).toBe(11);

    const s = subscribe({ entityId: id, fromRevision: first });
    try {
      expect(revisions(await s.take(13 - first))).toEqual(Array.from({ length: 13 - first }, (_, i) => first + i));
    } finally {
      s.close();
    }
    const r = sseReader(await openSse(id, `?from=${first}`));
    expect((await r.take(1))[0]?.id).toBe(String(first));
    await r.close();
  });
});
