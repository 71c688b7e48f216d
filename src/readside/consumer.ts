// The events queue's consumer: groups messages by entity, leases cursors, delivers, commits in one batch.
import type { ReadSideSpec } from "../config/index.js";
import type { CursorKey, CursorUpdate, Lease, ParkedEvent } from "../cursors/index.js";
import { entityIdProblem, type JournalPage } from "../entity/index.js";
import type { ReadSideContext } from "./context.js";
import { type PairOutcome, deliverPair } from "./delivery.js";
import { type DeliveryMessage, parseMessage } from "./messages.js";
import { type ReadSideHandler, createReadSideHandler } from "./read-side-handler.js";
import { shardOf } from "./shard.js";
import { runSweep } from "./sweep.js";

/**
 * How long a consumer holds a (read side, entity) cursor. It must exceed the longest handler
 * timeout plus the commit (MAX_READ_SIDE_TIMEOUT_MS + LEASE_MARGIN_MS): no delivery starts that
 * could end after the lease, so a second consumer never sees an expired lease mid-call.
 */
export const LEASE_MS = 120_000;
/** Journal rows read per entity per batch; a longer backlog continues in a follow-up message. */
export const JOURNAL_PAGE = 100;
/** Deliveries in flight per batch (Workers allow six open connections per invocation). */
export const DELIVERY_CONCURRENCY = 6;
/** Delay before trying again a pair whose cursor another consumer holds. */
export const BUSY_DELAY_SECONDS = 2;
const RETRY_DELAY_SECONDS = 5;

interface EntityGroup {
  entityId: string;
  shard: number;
  messages: Message<unknown>[];
  to: number;
  /** undefined: every read side. */
  readSideIds: Set<string> | undefined;
  failed: boolean;
}

interface Pair {
  group: EntityGroup;
  key: CursorKey;
  handler: ReadSideHandler;
  spec: ReadSideSpec;
  lease: Lease | undefined;
  target?: number;
  outcome?: PairOutcome;
}

/**
 * Handles a batch from the events queue. Order comes from each cursor and the entity's journal,
 * never from the queue: a message only says "this entity has news up to revision N". Two
 * consumers never deliver to the same (read side, entity) at once: a consumer first takes a
 * lease on the cursor row in D1 (an upsert that succeeds only when no live lease exists), and
 * its commit applies only if the cursor is still where the lease found it. So every event is
 * delivered only after its predecessor succeeded, whatever the queue duplicates or reorders.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, ctx: ReadSideContext): Promise<void> {
  const sides = (await ctx.loadReadSides()).filter((r) => r.spec.enabled && !r.paused);
  const groups = new Map<string, EntityGroup>();
  const unreadable: Message<unknown>[] = [];
  for (const msg of batch.messages) {
    const parsed = parseMessage(msg.body);
    if (parsed === undefined || (parsed.kind === "delivery" && entityIdProblem(parsed.body.entityId) !== undefined)) {
      unreadable.push(msg);
    } else if (parsed.kind === "sweep") {
      await runSweep(ctx, parsed.body).then(
        () => msg.ack(),
        (cause: unknown) => {
          console.error("statehouse: sweep failed; retrying", cause);
          msg.retry({ delaySeconds: RETRY_DELAY_SECONDS });
        },
      );
    } else {
      addToGroup(groups, parsed.body, msg, ctx.config.numShards);
    }
  }
  if (unreadable.length > 0) {
    // Not something Statehouse sent: kept as a dead letter for an operator rather than dropped.
    await ctx.parked.recordDeadLetters(
      unreadable.map((m) => ({ queue: batch.queue, body: JSON.stringify(m.body) ?? "null", attempts: m.attempts })),
      Date.now(),
    );
    for (const m of unreadable) m.ack();
  }
  if (groups.size === 0) return;

  const handlers = new Map(sides.map((r) => [r.spec.id, createReadSideHandler(r.spec, ctx.env, ctx.registry)]));
  const pairs: Pair[] = [];
  for (const group of groups.values()) {
    for (const side of sides) {
      if (group.readSideIds !== undefined && !group.readSideIds.has(side.spec.id)) continue;
      if (side.pausedShards.includes(group.shard)) continue;
      const key = { readSideId: side.spec.id, entityId: group.entityId, shard: group.shard };
      pairs.push({ group, key, spec: side.spec, handler: handlers.get(side.spec.id) as ReadSideHandler, lease: undefined });
    }
  }

  const owner = crypto.randomUUID();
  const leaseUntil = Date.now() + LEASE_MS;
  const heads = [...groups.values()].map((g) => ({ entityId: g.entityId, shard: g.shard, head: g.to }));
  const leases = await ctx.cursors.acquire(pairs.map((p) => p.key), heads, owner, leaseUntil, Date.now());
  pairs.forEach((p, i) => (p.lease = leases[i]));

  const journals = new Map<string, Promise<JournalPage>>();
  const readFrom = (g: EntityGroup) => {
    let page = journals.get(g.entityId);
    if (page === undefined) {
      const from = Math.min(...pairs.filter((p) => p.group === g && p.lease).map((p) => (p.lease as Lease).revision)) + 1;
      page = ctx.entities.readJournal(g.entityId, from, JOURNAL_PAGE);
      journals.set(g.entityId, page);
    }
    return page;
  };
  await runLimited(
    pairs.filter((p) => p.lease !== undefined && p.lease.revision < p.group.to && p.lease.status !== "stopped"),
    DELIVERY_CONCURRENCY,
    async (p) => {
      try {
        const page = await readFrom(p.group);
        const lease = p.lease as Lease;
        p.target = Math.max(p.group.to, page.headRevision);
        p.outcome = await deliverPair({ spec: p.spec, handler: p.handler, key: p.key, lease, events: page.events, target: p.target, deadline: leaseUntil });
      } catch (cause) {
        console.error(`statehouse: delivery to ${p.key.readSideId} for ${p.key.entityId} failed; retrying the message`, cause);
        p.group.failed = true;
      }
    },
  );

  const updates: CursorUpdate[] = [];
  const releases: CursorKey[] = [];
  const parked: ParkedEvent[] = [];
  const resends: { group: EntityGroup; body: DeliveryMessage; delaySeconds: number }[] = [];
  for (const p of pairs) {
    if (p.lease === undefined) {
      resends.push({ group: p.group, body: resendBody(p, 1), delaySeconds: BUSY_DELAY_SECONDS });
      continue;
    }
    if (p.outcome?.update) updates.push(p.outcome.update);
    else releases.push(p.key);
    parked.push(...(p.outcome?.parked ?? []));
    const r = p.outcome?.resend;
    if (r !== undefined) resends.push({ group: p.group, body: resendBody(p, r.fromRevision), delaySeconds: r.delaySeconds });
  }
  await ctx.cursors.commit(owner, updates, releases, parked, Date.now());
  await sendResends(ctx.env, resends);

  for (const g of groups.values()) {
    for (const m of g.messages) {
      if (g.failed) m.retry({ delaySeconds: RETRY_DELAY_SECONDS });
      else m.ack();
    }
  }
}

function addToGroup(groups: Map<string, EntityGroup>, body: DeliveryMessage, msg: Message<unknown>, numShards: number): void {
  let g = groups.get(body.entityId);
  if (g === undefined) {
    g = { entityId: body.entityId, shard: shardOf(body.entityId, numShards), messages: [], to: 0, readSideIds: new Set(), failed: false };
    groups.set(body.entityId, g);
  }
  g.messages.push(msg);
  g.to = Math.max(g.to, body.toRevision);
  if (body.readSideIds === undefined || g.readSideIds === undefined) g.readSideIds = undefined;
  else for (const id of body.readSideIds) g.readSideIds.add(id);
}

function resendBody(p: Pair, from: number): DeliveryMessage {
  const to = Math.max(p.target ?? p.group.to, from);
  return { entityId: p.key.entityId, fromRevision: from, toRevision: to, readSideIds: [p.key.readSideId] };
}

/** Sends follow-ups; if the Queue refuses them, the entities' original messages are retried instead. */
async function sendResends(env: Env, resends: { group: EntityGroup; body: DeliveryMessage; delaySeconds: number }[]): Promise<void> {
  for (let i = 0; i < resends.length; i += 100) {
    const chunk = resends.slice(i, i + 100);
    try {
      await env.EVENTS.sendBatch(chunk.map((r) => ({ body: r.body, contentType: "json", delaySeconds: r.delaySeconds })));
    } catch (cause) {
      console.error("statehouse: could not enqueue follow-up deliveries; retrying their messages", cause);
      for (const r of chunk) r.group.failed = true;
    }
  }
}

async function runLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
