// The periodic reconciler (a Cron Trigger): re-enqueues what no message will bring any more, partition by partition.
import { log } from "../log.js";
import type { ReadSideContext } from "./context.js";
import type { DeliveryMessage } from "./messages.js";
import { queueOf } from "./sweep.js";

/** Work younger than this is left to the messages in flight. */
export const RECONCILE_GRACE_MS = 60_000;
/** Delivery messages one run enqueues at most per partition; what is left waits for the next run. */
export const RECONCILE_MAX_MESSAGES = 500;
/** Retention deletes at most this many segments of each partition's log per run. */
export const RECONCILE_TRIM_SEGMENTS = 200;
/** Entities whose real head one run asks for in each partition (a rolling walk of its index). */
export const RECONCILE_PROBE_ENTITIES = 25;

/** What one run did, for the log and for tests (summed over partitions). */
export interface ReconcileReport {
  dueRetries: number;
  headsRaised: number;
  behind: number;
  /** Event log entries retention deleted. */
  trimmed: number;
}

/**
 * One run, in every partition, three repairs, each bounded:
 * 1. retries whose follow-up message was lost (the cursor says "retrying", the time has passed);
 * 2. entity heads the index missed (a walk of the index that asks a few entities per run);
 * 3. entities an enabled read side is behind on with nothing in flight (a lost message).
 * It also applies the event log's retention. Together they make "a committed event reaches every
 * read side" independent of any single Queue message: whatever fell out is enqueued again, and
 * the cursors drop what is a duplicate. A partition whose store fails is reported and left for
 * the next run; the others are repaired.
 */
export async function reconcile(ctx: ReadSideContext, now = Date.now()): Promise<ReconcileReport> {
  await ctx.syncDeclared();
  const sides = (await ctx.readSides.list({ builtin: true })).filter((s) => s.spec.enabled && !s.paused);
  const reports = await Promise.all(
    ctx.partitions.all.map((p) =>
      reconcilePartition(ctx, p, sides, now).catch((cause: unknown) => {
        log.error(`statehouse: reconciling partition ${p} failed; the next run tries again`, { partition: p, error: cause });
        return { dueRetries: 0, headsRaised: 0, behind: 0, trimmed: 0 };
      }),
    ),
  );
  const report = reports.reduce((a, r) => ({
    dueRetries: a.dueRetries + r.dueRetries,
    headsRaised: a.headsRaised + r.headsRaised,
    behind: a.behind + r.behind,
    trimmed: a.trimmed + r.trimmed,
  }));
  if (report.dueRetries + report.headsRaised + report.behind + report.trimmed > 0) log.info(`statehouse: reconciler ${JSON.stringify(report)}`, { ...report });
  return report;
}

async function reconcilePartition(ctx: ReadSideContext, p: number, sides: { spec: { id: string } }[], now: number): Promise<ReconcileReport> {
  const store = ctx.partitions.store(p);
  // After a resize, every shard moves to its new partition even if no message asks for it.
  await store.ensureShards(ctx.partitions.route(p));
  const quiet = now - RECONCILE_GRACE_MS;
  const bodies: DeliveryMessage[] = [];

  const due = await store.dueRetries(quiet, RECONCILE_MAX_MESSAGES);
  for (const d of due) {
    bodies.push({ entityId: d.entityId, fromRevision: d.revision + 1, toRevision: Math.max(d.failedRevision, d.revision + 1), readSideIds: [d.readSideId] });
  }

  const page = await store.probePage(RECONCILE_PROBE_ENTITIES);
  const heads = await Promise.all(page.map(async (e) => ({ ...e, head: await ctx.entities.headRevision(e.entityId) })));
  const raised = heads.filter((e) => e.head > e.headRevision).map((e) => ({ entityId: e.entityId, shard: e.shard, head: e.head }));
  await store.advanceProbe(page.at(-1)?.entityId ?? "", raised, now);

  let behind = 0;
  for (const [i, side] of sides.entries()) {
    // An even share of what is left, so one read side far behind cannot starve the others.
    const limit = Math.ceil((RECONCILE_MAX_MESSAGES - bodies.length) / (sides.length - i));
    if (limit <= 0) break;
    const late = await store.behind(side.spec.id, { after: "", limit, quietSince: quiet });
    behind += late.length;
    for (const e of late) bodies.push({ entityId: e.entityId, fromRevision: e.fromRevision, toRevision: e.headRevision, readSideIds: [side.spec.id] });
  }

  for (let i = 0; i < bodies.length; i += 100) {
    await queueOf(ctx, p).sendBatch(bodies.slice(i, i + 100).map((body) => ({ body, contentType: "json" })));
  }
  const trimmed = await store.trimLog(ctx.config.log.retention, now, RECONCILE_TRIM_SEGMENTS);
  return { dueRetries: due.length, headsRaised: raised.length, behind, trimmed };
}
