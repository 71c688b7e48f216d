// Sweeps: walk one partition's entity index for one read side and enqueue what it is behind on, page by page.
import type { Partitions } from "../partition/index.js";
import type { DeliveryMessage, SweepMessage } from "./messages.js";

/** Entities enqueued per sweep message (a Queue batch holds at most 100 messages). */
export const SWEEP_PAGE = 99;

/** What a sweep reads and writes: the partitions' indexes and their queues. */
export interface SweepDeps {
  partitions: Partitions;
  queues: readonly Queue<unknown>[];
}

/**
 * Starts a sweep for a read side (after create, enable, resume, restart, skip): one per partition,
 * on that partition's queue, or only the partition that owns `shard`.
 */
export async function startSweep(ctx: SweepDeps, readSideId: string, shard?: number): Promise<void> {
  const targets = shard === undefined ? ctx.partitions.all : [ctx.partitions.partitionOfShard(shard)];
  await Promise.all(
    targets.map((partition) => {
      const body: SweepMessage = { sweep: { readSideId, after: "", partition, ...(shard !== undefined ? { shard } : {}) } };
      return queueOf(ctx, partition).send(body, { contentType: "json" });
    }),
  );
}

/**
 * Runs one page of a sweep: one delivery message per entity behind, plus the next page's sweep
 * message when the page was full. The sends are one batch, so a failure retries the whole page.
 */
export async function runSweep(ctx: SweepDeps, msg: SweepMessage): Promise<void> {
  const { readSideId, shard, after } = msg.sweep;
  const partition = msg.sweep.partition ?? 0;
  const page = await ctx.partitions.store(partition).behind(readSideId, { after, limit: SWEEP_PAGE, shard });
  const bodies: (DeliveryMessage | SweepMessage)[] = page.map((e) => ({
    entityId: e.entityId,
    fromRevision: e.fromRevision,
    toRevision: e.headRevision,
    readSideIds: [readSideId],
  }));
  const last = page.at(-1);
  if (page.length === SWEEP_PAGE && last !== undefined) {
    bodies.push({ sweep: { readSideId, after: last.entityId, partition, ...(shard !== undefined ? { shard } : {}) } });
  }
  if (bodies.length > 0) await queueOf(ctx, partition).sendBatch(bodies.map((body) => ({ body, contentType: "json" })));
}

/** Partition `p`'s events queue; a partition beyond the configured ones (an old message) goes to the first. */
export function queueOf(ctx: { queues: readonly Queue<unknown>[] }, p: number): Queue<unknown> {
  return (ctx.queues[p] ?? ctx.queues[0]) as Queue<unknown>;
}
