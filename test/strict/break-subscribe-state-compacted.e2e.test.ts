// include_state needs the state before from_revision: when compaction deleted it, that is OUT_OF_RANGE (the entity exists), never NOT_FOUND.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { connectError, freshId } from "../helpers.js";
import { commitEach, openSse, revisions, subscribe } from "../streams/helpers.js";
import { entityStub, firstRetained } from "./helpers.js";

describe("subscribing with include_state to a compacted entity", { timeout: 20_000 }, () => {
  it("answers OUT_OF_RANGE naming the first retained revision when the state before from_revision was compacted", async () => {
    const id = freshId("state-compacted");
    await commitEach(id, 1, 12);
    await runDurableObjectAlarm(entityStub(id));
    const first = await firstRetained(id);
    expect(first).toBeGreaterThan(1);

    // Given the journal starts at `first`, the state `first` applies to (revision first - 1) is gone.
    const err = await connectError(() => subscribe({ entityId: id, fromRevision: first, includeState: true }).take(1));
    expect(err.code).toBe(11);
    expect(err.rawMessage).toContain(`revision ${first}`);

    const res = await openSse(id, `?from=${first}&state=true`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).code).toBe("out_of_range");

    // One revision later the state is retained, so the stream starts.
    const s = subscribe({ entityId: id, fromRevision: first + 1, includeState: true });
    try {
      const [state, event] = await s.take(2);
      expect([state?.currentState, state?.meta?.revisionNumber]).toEqual([true, first]);
      expect(revisions([event!])).toEqual([first + 1]);
    } finally {
      s.close();
    }
  });
});
