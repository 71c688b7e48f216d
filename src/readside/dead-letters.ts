// The dead-letter queue's consumer: records every message that exhausted its retries, and the heads it announced.
import type { DeadLetterStore } from "../control/index.js";
import { log } from "../log.js";
import type { EntityHead, Partitions } from "../partition/index.js";
import { parseMessage, withoutCarriedEvents } from "./messages.js";

/** Longest delay between attempts to record dead letters while D1 is failing (Queues allow 12 h). */
export const MAX_DEAD_LETTER_DELAY_SECONDS = 3600;

/**
 * Records each dead letter (body, attempts, queue) in the control plane so an operator can list
 * and replay it, after raising the entity index of each letter's partition to the heads the
 * letters announced: the reconciler then re-delivers them without anyone's help (raising a head is
 * idempotent, so a retry of this batch does no harm). Acks only after both writes; while either
 * fails the messages are retried with a growing delay (and, past the dead-letter queue's own
 * retries, go back to the events queue), so a long outage loses nothing.
 */
export async function recordDeadLetters(batch: MessageBatch<unknown>, deps: { deadLetters: DeadLetterStore; partitions?: Partitions }): Promise<void> {
  const heads = new Map<number, Map<string, EntityHead>>();
  for (const m of batch.messages) {
    const parsed = parseMessage(m.body);
    if (parsed?.kind !== "delivery" || deps.partitions === undefined) continue;
    const { entityId, toRevision } = parsed.body;
    const shard = deps.partitions.shardOf(entityId);
    const own = heads.get(deps.partitions.partitionOfShard(shard)) ?? new Map<string, EntityHead>();
    own.set(entityId, { entityId, shard, head: Math.max(toRevision, own.get(entityId)?.head ?? 0) });
    heads.set(deps.partitions.partitionOfShard(shard), own);
  }
  try {
    const now = Date.now();
    const partitions = deps.partitions;
    if (partitions !== undefined) await Promise.all([...heads].map(([p, own]) => partitions.store(p).raiseHeads([...own.values()], now)));
    await deps.deadLetters.record(
      batch.messages.map((m) => ({ queue: batch.queue, body: JSON.stringify(withoutCarriedEvents(m.body)) ?? "null", attempts: m.attempts })),
      now,
    );
  } catch (cause) {
    log.error(`statehouse: could not record ${batch.messages.length} dead letter(s) from ${batch.queue}; retrying`, {
      queue: batch.queue,
      messages: batch.messages.length,
      error: cause,
    });
    for (const m of batch.messages) m.retry({ delaySeconds: Math.min(MAX_DEAD_LETTER_DELAY_SECONDS, 30 * 2 ** Math.min(m.attempts, 10)) });
    return;
  }
  log.error(`statehouse: recorded ${batch.messages.length} dead letter(s) from ${batch.queue}`, { queue: batch.queue, messages: batch.messages.length });
  batch.ackAll();
}
