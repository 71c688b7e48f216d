// The dead-letter queue's consumer: records every message that exhausted its retries, and the heads it announced.
import type { EntityHead, ParkedStore } from "../cursors/index.js";
import { log } from "../log.js";
import { parseMessage, withoutCarriedEvents } from "./messages.js";
import { shardOf } from "./shard.js";

/** Longest delay between attempts to record dead letters while D1 is failing (Queues allow 12 h). */
export const MAX_DEAD_LETTER_DELAY_SECONDS = 3600;

/**
 * Records each dead letter (body, attempts, queue) so an operator can list and replay it, and in
 * the same D1 batch raises the entity index to the heads the letters announced: the reconciler
 * then re-delivers them without anyone's help. Acks only after the write; while D1 fails the
 * messages are retried with a growing delay (and, past the dead-letter queue's own retries, go
 * back to the events queue), so a long D1 outage loses nothing.
 */
export async function recordDeadLetters(batch: MessageBatch<unknown>, parked: ParkedStore, numShards: number): Promise<void> {
  const heads = new Map<string, EntityHead>();
  for (const m of batch.messages) {
    const parsed = parseMessage(m.body);
    if (parsed?.kind !== "delivery") continue;
    const { entityId, toRevision } = parsed.body;
    const head = Math.max(toRevision, heads.get(entityId)?.head ?? 0);
    heads.set(entityId, { entityId, shard: shardOf(entityId, numShards), head });
  }
  try {
    await parked.recordDeadLetters(
      batch.messages.map((m) => ({ queue: batch.queue, body: JSON.stringify(withoutCarriedEvents(m.body)) ?? "null", attempts: m.attempts })),
      [...heads.values()],
      Date.now(),
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
