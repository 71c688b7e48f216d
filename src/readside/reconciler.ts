// The periodic reconciler (a Cron Trigger): re-enqueues what no message will bring any more.
import type { ReadSideContext } from "./context.js";
import type { DeliveryMessage } from "./messages.js";
import { log } from "../log.js";

/** Work younger than this is left to the messages in flight. */
export const RECONCILE_GRACE_MS = 60_000;
/** Delivery messages one run enqueues at most; what is left waits for the next run. */
export const RECONCILE_MAX_MESSAGES = 500;
/** Retention deletes at most this many chunks of the event log per run (see LOG_TRIM_CHUNK). */
export const RECONCILE_TRIM_CHUNKS = 20;
/** Entities whose real head one run asks for (a rolling walk of the index). */
export const RECONCILE_PROBE_ENTITIES = 25;

/** What one run did, for the log and for tests. */
export interface ReconcileReport {
  dueRetries: number;
  headsRaised: number;
  behind: number;
  /** Event log rows retention deleted. */
  trimmed: number;
}

/**
 * One run, three repairs, each bounded:
 * 1. retries whose follow-up message was lost (the cursor says "retrying", the time has passed);
 * 2. entity heads the index missed (a walk of the index that asks a few entities per run);
 * 3. entities an enabled read side is behind on with nothing in flight (a lost message).
 * It also applies the event log's retention.
 * Together they make "a committed event reaches every read side" independent of any single
 * Queue message: whatever fell out is enqueued again, and the cursors drop what is a duplicate.
 */
export async function reconcile(ctx: ReadSideContext, now = Date.now()): Promise<ReconcileReport> {
  await ctx.syncDeclared();
  const quiet = now - RECONCILE_GRACE_MS;
  const bodies: DeliveryMessage[] = [];

  const due = await ctx.views.dueRetries(quiet, RECONCILE_MAX_MESSAGES);
  for (const d of due) {
    bodies.push({ entityId: d.entityId, fromRevision: d.revision + 1, toRevision: Math.max(d.failedRevision, d.revision + 1), readSideIds: [d.readSideId] });
  }

  const headsRaised = await probeHeads(ctx, now);

  let behind = 0;
  const sides = (await ctx.readSides.list({ builtin: true })).filter((s) => s.spec.enabled && !s.paused);
  for (const [i, side] of sides.entries()) {
    // An even share of what is left, so one read side far behind cannot starve the others.
    const limit = Math.ceil((RECONCILE_MAX_MESSAGES - bodies.length) / (sides.length - i));
    if (limit <= 0) break;
    const page = await ctx.index.behind(side.spec.id, { after: "", limit, quietSince: quiet });
    behind += page.length;
    for (const e of page) bodies.push({ entityId: e.entityId, fromRevision: e.fromRevision, toRevision: e.headRevision, readSideIds: [side.spec.id] });
  }

  for (let i = 0; i < bodies.length; i += 100) {
    await ctx.env.EVENTS.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body, contentType: "json" })));
  }
  const trimmed = await ctx.log.trim(ctx.config.log.retention, now, RECONCILE_TRIM_CHUNKS);
  const report = { dueRetries: due.length, headsRaised, behind, trimmed };
  if (bodies.length > 0 || headsRaised > 0 || trimmed > 0) log.info(`statehouse: reconciler ${JSON.stringify(report)}`, { ...report });
  return report;
}

/** Asks the next few indexed entities for their head and raises the index where it lagged. */
async function probeHeads(ctx: ReadSideContext, now: number): Promise<number> {
  const after = await ctx.index.probePosition();
  const page = await ctx.index.page(after, RECONCILE_PROBE_ENTITIES);
  const heads = await Promise.all(page.map(async (e) => ({ ...e, head: await ctx.entities.headRevision(e.entityId) })));
  const raised = heads.filter((e) => e.head > e.headRevision).map((e) => ({ entityId: e.entityId, shard: e.shard, head: e.head }));
  await ctx.index.advanceProbe(page.at(-1)?.entityId ?? "", raised, now);
  return raised.length;
}
