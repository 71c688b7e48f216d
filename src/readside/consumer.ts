// The events queue's consumer: group by partition and entity → load → plan → deliver → commit → publish → settle.
import type { ReadSideRecord } from "../control/index.js";
import { JOURNAL_PAGE_BYTES, type JournalEntry, type JournalPage, entityIdProblem } from "../entity/index.js";
import { LOG_READ_SIDE_ID, type LogAppend, type LogEntry } from "../eventlog/index.js";
import { log } from "../log.js";
import { type TraceCarrier, traceFromCarrier } from "../trace/index.js";
import { type BatchPositions, type CommitResult, type CursorUpdate, type EntityHead, type ParkedEvent, cursorId, freshCursor } from "../partition/index.js";
import type { ReadSideContext } from "./context.js";
import { type PairDelivery, type PairOutcome, deliverPair } from "./delivery.js";
import { planLogAppend } from "./log-append.js";
import { type DeliveryMessage, parseMessage } from "./messages.js";
import { type ReadSideHandler, createReadSideHandler } from "./read-side-handler.js";
import { queueOf, runSweep } from "./sweep.js";

/** Journal rows read per pair per page (pages are also bounded by JOURNAL_PAGE_BYTES). */
export const JOURNAL_PAGE = 100;
/** Deliveries in flight per batch (Workers allow six open connections per invocation). */
export const DELIVERY_CONCURRENCY = 6;
/** No handler call starts later than this after the batch began; the rest continues in a follow-up. */
export const BATCH_BUDGET_MS = 120_000;
/** Delay before a message whose work failed (a journal read, a store write) is tried again. */
export const RETRY_DELAY_SECONDS = 5;
/** Delay before a message whose shard is being moved between partitions is tried again. */
export const MOVE_DELAY_SECONDS = 2;

/** The messages of one batch for one entity. */
export interface EntityGroup {
  entityId: string;
  shard: number;
  /** The partition whose store holds the entity's cursors and whose log takes its events. */
  partition: number;
  messages: Message<unknown>[];
  /** Newest revision any message announced. */
  to: number;
  /** undefined: every read side. */
  readSideIds: Set<string> | undefined;
  /** Rows the messages carried, by revision. */
  carried: Map<number, JournalEntry>;
  /** The newest command's span a message named. */
  trace?: TraceCarrier;
}

/** One (read side, entity) that has something to deliver in this batch. */
interface Pair extends Omit<PairDelivery, "events" | "target" | "deadline" | "compactedAt"> {
  group: EntityGroup;
  claim: Claim;
}

/**
 * A pair being delivered in this isolate; `wantTo` is the newest revision any batch asked for.
 * Once its batch has read `wantTo` for the follow-up it is `closed`, and later batches deliver
 * for themselves.
 */
interface Claim {
  wantTo: number;
  closed: boolean;
}

/**
 * Pairs in delivery in this isolate. A batch that finds its pair here leaves the work to the
 * batch delivering it (raising `wantTo`, which that batch's follow-up then covers) instead of
 * delivering the same events a second time. Across isolates the cursor's compare-and-set is what
 * keeps order; this only spares the handlers duplicates.
 */
const claims = new Map<string, Claim>();

/** A pair's result: the outcome (and for `$log`, the rows to append), or the reason its group must be retried. */
type Delivered = { pair: Pair; target: number; outcome: PairOutcome; append?: LogAppend } | { pair: Pair; failed: true };

/** `$log` has no handler to call: its delivery is the batch's commit (see log-append.ts). */
const LOG_HANDLER: ReadSideHandler = {
  handle: () => Promise.reject(new Error("the event log is written by the commit, not called")),
};

/**
 * Handles a batch from an events queue. Order comes from each cursor and the entity's journal,
 * never from the queue: a message only says "this entity has news up to revision N". A delivery
 * starts at cursor + 1 and calls revision N only after N - 1 succeeded; its commit is a
 * compare-and-set on the cursor, so when two consumers race on one pair the loser's commit is
 * dropped and re-checked by a follow-up: at worst an event is delivered twice, never out of order.
 * Each partition's entities go to that partition's store, independently: a partition whose store
 * fails retries its own messages while the others commit.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, ctx: ReadSideContext): Promise<void> {
  const started = Date.now();
  const groups = await groupMessages(batch, ctx);
  if (groups.length === 0) return;

  await ctx.syncDeclared();
  const byPartition = new Map<number, EntityGroup[]>();
  for (const g of groups) byPartition.set(g.partition, [...(byPartition.get(g.partition) ?? []), g]);
  await Promise.all([...byPartition].map(([partition, own]) => consumePartition(partition, own, ctx, started)));
}

/** One partition's share of a batch: load its cursors, deliver, commit to its store, publish, settle. */
async function consumePartition(partition: number, all: EntityGroup[], ctx: ReadSideContext, started: number): Promise<void> {
  let positions: BatchPositions;
  // From here on the partition knows of the batch's heads (the commit's marks say so).
  const loadedAt = Date.now();
  try {
    positions = await ctx.partitions.store(partition).load(
      all.map((g) => ({ entityId: g.entityId, shard: g.shard, head: g.to })),
      loadedAt,
      ctx.partitions.route(partition),
    );
  } catch (cause) {
    log.error(`statehouse: partition ${partition}'s store could not be read; retrying its messages`, { partition, error: cause });
    for (const g of all) retryAll(g, RETRY_DELAY_SECONDS);
    return;
  }
  // Entities whose shard is moving between partitions come back once the move is done.
  const waiting = new Set(positions.wait ?? []);
  await deferMoving(
    partition,
    all.filter((g) => waiting.has(g.entityId)),
    ctx,
  );
  const groups = all.filter((g) => !waiting.has(g.entityId));
  const { pairs, held } = planPairs(groups, positions, ctx);
  try {
    await deliverAndCommit(partition, groups, pairs, held, ctx, started, positions.lease, loadedAt);
  } finally {
    for (const p of pairs) {
      const id = cursorId(p.key.readSideId, p.key.entityId);
      p.claim.closed = true;
      if (claims.get(id) === p.claim) claims.delete(id);
    }
  }
}

async function deliverAndCommit(
  partition: number,
  groups: EntityGroup[],
  pairs: Pair[],
  held: Set<EntityGroup>,
  ctx: ReadSideContext,
  started: number,
  lease: number | undefined,
  loadedAt: number,
): Promise<void> {
  const delivered = await deliverAll(pairs, ctx, started + BATCH_BUDGET_MS);

  const updates: CursorUpdate[] = [];
  const parked: ParkedEvent[] = [];
  const appends: LogAppend[] = [];
  for (const d of delivered) {
    if ("failed" in d) continue;
    if (d.outcome.update !== undefined) updates.push(d.outcome.update);
    if (d.append !== undefined) appends.push(d.append);
    parked.push(...d.outcome.parked);
  }
  const heads = headsBehind(groups, held, delivered);
  let committed: CommitResult;
  try {
    committed = await ctx.partitions.store(partition).commit({ lease, updates, parked, heads, appends, now: Date.now(), knownAt: loadedAt });
  } catch (cause) {
    log.error(`statehouse: could not commit read-side cursors to partition ${partition}; retrying its messages`, { partition, error: cause });
    for (const g of groups) retryAll(g, RETRY_DELAY_SECONDS);
    return;
  }
  await Promise.all([
    ctx.publishAppends(partition, appendedEntries(partition, appends, committed)),
    settle(partition, groups, delivered, committed.applied, ctx),
  ]);
}

/** The log entries a commit appended, in offset order, for the partition's hub. */
function appendedEntries(partition: number, appends: LogAppend[], committed: CommitResult): LogEntry[] {
  if (committed.appended.length === 0) return [];
  const rows = new Map(appends.flatMap((a) => a.rows.map((r) => [cursorId(String(r.revision), r.entityId), r] as const)));
  const entries: LogEntry[] = [];
  for (const a of [...committed.appended].sort((x, y) => x.offset - y.offset)) {
    const row = rows.get(cursorId(String(a.revision), a.entityId));
    // The barriers the append carries reach live readers with it (a resize moved the entity here).
    if (row !== undefined) entries.push({ ...row, partition, offset: a.offset, appendedAt: committed.appendedAt, ...(a.barriers !== undefined ? { barriers: a.barriers } : {}) });
  }
  return entries;
}

/** Group: delivery messages by entity; sweeps run at once; unreadable messages become dead letters. */
async function groupMessages(batch: MessageBatch<unknown>, ctx: ReadSideContext): Promise<EntityGroup[]> {
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
          log.error("statehouse: sweep failed; retrying", { read_side_id: parsed.body.sweep.readSideId, error: cause });
          msg.retry({ delaySeconds: RETRY_DELAY_SECONDS });
        },
      );
    } else {
      addToGroup(groups, parsed.body, msg, ctx);
    }
  }
  if (unreadable.length > 0) {
    // Not something Statehouse sent: kept as a dead letter for an operator rather than dropped.
    const letters = unreadable.map((m) => ({ queue: batch.queue, body: JSON.stringify(m.body) ?? "null", attempts: m.attempts }));
    await ctx.deadLetters.record(letters, Date.now());
    for (const m of unreadable) m.ack();
  }
  return [...groups.values()];
}

function addToGroup(groups: Map<string, EntityGroup>, body: DeliveryMessage, msg: Message<unknown>, ctx: ReadSideContext): void {
  let g = groups.get(body.entityId);
  if (g === undefined) {
    const shard = ctx.partitions.shardOf(body.entityId);
    g = { entityId: body.entityId, shard, partition: ctx.partitions.partitionOfShard(shard), messages: [], to: 0, readSideIds: new Set(), carried: new Map() };
    groups.set(body.entityId, g);
  }
  g.messages.push(msg);
  if (body.trace !== undefined && body.toRevision >= g.to) g.trace = body.trace;
  g.to = Math.max(g.to, body.toRevision);
  for (const e of body.events ?? []) g.carried.set(e.revision, e);
  if (body.readSideIds === undefined || g.readSideIds === undefined) g.readSideIds = undefined;
  else for (const id of body.readSideIds) g.readSideIds.add(id);
}

/**
 * Plan: the pairs with something to deliver, and per entity whether some read side is held back
 * (disabled, paused, stopped, waiting for a retry, or deferred to another batch) behind the news,
 * so the index must learn the head.
 */
function planPairs(groups: EntityGroup[], positions: BatchPositions, ctx: ReadSideContext): { pairs: Pair[]; held: Set<EntityGroup> } {
  const sides = positions.sides;
  const handlers = new Map<string, Pair["handler"]>();
  const handlerOf = (side: ReadSideRecord) => {
    let h = handlers.get(side.spec.id);
    if (h === undefined) handlers.set(side.spec.id, (h = createReadSideHandler(side.spec, ctx.env, ctx.registry)));
    return h;
  };
  const pairs: Pair[] = [];
  const held = new Set<EntityGroup>();
  const now = Date.now();
  for (const group of groups) {
    for (const side of sides) {
      if (group.readSideIds !== undefined && !group.readSideIds.has(side.spec.id)) continue;
      const cursor = positions.cursors.get(cursorId(side.spec.id, group.entityId)) ?? freshCursor(side.generation);
      if (cursor.revision >= group.to) continue;
      // No operator can move `$log` on: its deliveries retry a stopped cursor (see log-append.ts).
      const stopped = cursor.status === "stopped" && side.spec.id !== LOG_READ_SIDE_ID;
      const waiting = stopped || (cursor.status === "retrying" && now + 1000 < cursor.retryAt);
      if (!side.spec.enabled || side.paused || side.pausedShards.includes(group.shard) || waiting) {
        held.add(group);
        continue;
      }
      const id = cursorId(side.spec.id, group.entityId);
      const running = claims.get(id);
      if (running !== undefined && !running.closed) {
        // Left to the batch delivering it; the index learns the head too, so that if that batch
        // fails before its follow-up the reconciler still finds the pair behind.
        running.wantTo = Math.max(running.wantTo, group.to);
        held.add(group);
        continue;
      }
      const claim = { wantTo: group.to, closed: false };
      claims.set(id, claim);
      const key = { readSideId: side.spec.id, entityId: group.entityId, shard: group.shard };
      const startedAt = Math.max(side.startedAt, cursor.restartedAt);
      const handler = side.spec.id === LOG_READ_SIDE_ID ? LOG_HANDLER : handlerOf(side);
      pairs.push({ group, key, spec: side.spec, handler, cursor, startedAt, claim });
    }
  }
  return { pairs, held };
}

/**
 * Deliver: a pair uses the rows its messages carried when they cover cursor + 1 to the news;
 * otherwise it reads its own page from its own cursor (pages bounded by bytes), so no read side's
 * position holds back another's; pairs of one entity at the same cursor share the read.
 */
async function deliverAll(pairs: Pair[], ctx: ReadSideContext, deadline: number): Promise<Delivered[]> {
  const reads = new Map<string, Promise<JournalPage>>();
  const readPage = (entityId: string, from: number) => {
    const k = cursorId(String(from), entityId);
    let page = reads.get(k);
    if (page === undefined) {
      page = ctx.entities.readJournal(entityId, from, JOURNAL_PAGE, JOURNAL_PAGE_BYTES).finally(() => reads.delete(k));
      reads.set(k, page);
    }
    return page;
  };
  return runLimited(pairs, DELIVERY_CONCURRENCY, async (pair): Promise<Delivered> => {
    try {
      const page = carriedPage(pair.group, pair.cursor.revision + 1) ?? (await readPage(pair.key.entityId, pair.cursor.revision + 1));
      const target = Math.max(pair.group.to, page.headRevision);
      const delivery = { ...pair, events: page.events, compactedAt: page.compactedAt, target, deadline, trace: traceFromCarrier(pair.group.trace) };
      if (pair.handler === LOG_HANDLER) return { pair, target, ...planLogAppend(delivery, ctx.config.log.states) };
      return { pair, target, outcome: await deliverPair(delivery) };
    } catch (cause) {
      log.error(`statehouse: delivery to ${pair.key.readSideId} for ${pair.key.entityId} failed; retrying the message`, { read_side_id: pair.key.readSideId, entity_id: pair.key.entityId, error: cause });
      return { pair, failed: true };
    }
  });
}

/** The rows from..group.to when the messages carried every one of them; otherwise the journal is read. */
function carriedPage(group: EntityGroup, from: number): Pick<JournalPage, "events" | "headRevision" | "compactedAt"> | undefined {
  if (group.carried.size === 0) return undefined;
  const events: JournalEntry[] = [];
  for (let r = from; r <= group.to; r++) {
    const row = group.carried.get(r);
    if (row === undefined) return undefined;
    events.push(row);
  }
  // The rows start at cursor + 1, so there is no gap and compaction does not matter.
  return { events, headRevision: group.to, compactedAt: 0 };
}

/** The heads the index must learn: entities some read side is still behind on after this batch. */
function headsBehind(groups: EntityGroup[], held: Set<EntityGroup>, delivered: Delivered[]): EntityHead[] {
  const behind = new Map<EntityGroup, number>();
  for (const g of held) behind.set(g, g.to);
  for (const d of delivered) {
    const g = d.pair.group;
    const target = "failed" in d ? g.to : d.target;
    const reached = "failed" in d ? d.pair.cursor.revision : (d.outcome.update?.revision ?? d.pair.cursor.revision);
    if (reached < target) behind.set(g, Math.max(behind.get(g) ?? 0, target));
  }
  return groups.filter((g) => behind.has(g)).map((g) => ({ entityId: g.entityId, shard: g.shard, head: behind.get(g) as number }));
}

/**
 * Settle: follow-ups for retries, backlogs and lost compare-and-sets; then every message is acked,
 * or retried when its entity's work failed or its follow-ups could not be enqueued — with the
 * follow-up's delay, so the retried message stands in for it.
 */
async function settle(partition: number, groups: EntityGroup[], delivered: Delivered[], applied: Set<string>, ctx: ReadSideContext): Promise<void> {
  const failed = new Set<EntityGroup>();
  const resends: { group: EntityGroup; body: DeliveryMessage; delaySeconds: number }[] = [];
  for (const d of delivered) {
    const { group, key, cursor, claim } = d.pair;
    // Read and close in one synchronous step: a batch deferring after this delivers for itself.
    claim.closed = true;
    if ("failed" in d) {
      failed.add(group);
      continue;
    }
    const lost = d.outcome.update !== undefined && !applied.has(cursorId(key.readSideId, key.entityId));
    const reached = d.outcome.update?.revision ?? cursor.revision;
    const target = Math.max(d.target, claim.wantTo);
    // A lost compare-and-set (another consumer, a restart or a skip moved the cursor): look again.
    // Otherwise the policy's resend, or the rest of what this or a batch that deferred to it asked for.
    const open = (d.outcome.update?.status ?? cursor.status) === "ok" && reached < target;
    const r = lost
      ? { fromRevision: cursor.revision + 1, delaySeconds: 0 }
      : (d.outcome.resend ?? (open ? { fromRevision: reached + 1, delaySeconds: 0 } : undefined));
    if (r === undefined) continue;
    const body = { entityId: key.entityId, fromRevision: r.fromRevision, toRevision: Math.max(target, r.fromRevision), readSideIds: [key.readSideId] };
    resends.push({ group, body, delaySeconds: r.delaySeconds });
  }
  const unsent = new Map<EntityGroup, number>();
  for (let i = 0; i < resends.length; i += 100) {
    const chunk = resends.slice(i, i + 100);
    try {
      await queueOf(ctx, partition).sendBatch(chunk.map((r) => ({ body: r.body, contentType: "json", delaySeconds: r.delaySeconds })));
    } catch (cause) {
      log.error("statehouse: could not enqueue follow-up deliveries; retrying their messages instead", { error: cause });
      for (const r of chunk) unsent.set(r.group, Math.max(unsent.get(r.group) ?? 0, r.delaySeconds));
    }
  }
  for (const g of groups) {
    if (failed.has(g)) retryAll(g, RETRY_DELAY_SECONDS);
    else if (unsent.has(g)) retryAll(g, Math.max(1, unsent.get(g) as number));
    else for (const m of g.messages) m.ack();
  }
}

/**
 * Sends each waiting entity's announcement again, one message per entity, MOVE_DELAY_SECONDS
 * later, and acks what it replaces. A retry would count against the queue's max_retries, and a
 * move may take minutes (a restarted old owner waits out its leases): waiting is not failing, so
 * it must not end in the dead-letter queue.
 */
async function deferMoving(partition: number, groups: EntityGroup[], ctx: ReadSideContext): Promise<void> {
  for (let i = 0; i < groups.length; i += 100) {
    const chunk = groups.slice(i, i + 100);
    const bodies: DeliveryMessage[] = chunk.map((g) => ({ entityId: g.entityId, fromRevision: g.to, toRevision: g.to, ...(g.readSideIds === undefined ? {} : { readSideIds: [...g.readSideIds] }) }));
    try {
      await queueOf(ctx, partition).sendBatch(bodies.map((body) => ({ body, contentType: "json", delaySeconds: MOVE_DELAY_SECONDS })));
      for (const g of chunk) for (const m of g.messages) m.ack();
    } catch (cause) {
      log.error("statehouse: could not defer deliveries of a moving shard; retrying their messages instead", { partition, error: cause });
      for (const g of chunk) retryAll(g, MOVE_DELAY_SECONDS);
    }
  }
}

function retryAll(g: EntityGroup, delaySeconds: number): void {
  for (const m of g.messages) m.retry({ delaySeconds });
}

async function runLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
