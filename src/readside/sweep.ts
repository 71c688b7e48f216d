// Sweeps: walk the entity index for one read side and enqueue what it is behind on, page by page.
import type { EntityIndex } from "../cursors/index.js";
import type { DeliveryMessage, SweepMessage } from "./messages.js";

/** Entities enqueued per sweep message (a Queue batch holds at most 100 messages). */
export const SWEEP_PAGE = 99;

/** Starts a sweep for a read side (after create, enable, resume, restart, skip). */
export async function startSweep(env: Env, readSideId: string, shard?: number): Promise<void> {
  const body: SweepMessage = { sweep: { readSideId, after: "", ...(shard !== undefined ? { shard } : {}) } };
  await env.EVENTS.send(body, { contentType: "json" });
}

/** What a sweep reads and writes: the entity index and the queue (a ReadSideContext has both). */
export interface SweepDeps {
  env: Env;
  index: EntityIndex;
}

/**
 * Runs one page of a sweep: one delivery message per entity behind, plus the next page's sweep
 * message when the page was full. The sends are one batch, so a failure retries the whole page.
 */
export async function runSweep(ctx: SweepDeps, msg: SweepMessage): Promise<void> {
  const { readSideId, shard, after } = msg.sweep;
  const page = await ctx.index.behind(readSideId, { after, limit: SWEEP_PAGE, shard });
  const bodies: (DeliveryMessage | SweepMessage)[] = page.map((e) => ({
    entityId: e.entityId,
    fromRevision: e.fromRevision,
    toRevision: e.headRevision,
    readSideIds: [readSideId],
  }));
  const last = page.at(-1);
  if (page.length === SWEEP_PAGE && last !== undefined) {
    bodies.push({ sweep: { readSideId, after: last.entityId, ...(shard !== undefined ? { shard } : {}) } });
  }
  if (bodies.length > 0) await ctx.env.EVENTS.sendBatch(bodies.map((body) => ({ body, contentType: "json" })));
}
