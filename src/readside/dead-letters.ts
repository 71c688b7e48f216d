// The dead-letter queue's consumer: every message that exhausted its retries is recorded in D1.
import type { ParkedStore } from "../cursors/index.js";

/**
 * Records each dead letter (body, attempts, queue) so an operator can list and replay it; acks
 * only after the write, so a failed write leaves the messages on the dead-letter queue.
 */
export async function recordDeadLetters(batch: MessageBatch<unknown>, parked: ParkedStore): Promise<void> {
  await parked.recordDeadLetters(
    batch.messages.map((m) => ({ queue: batch.queue, body: JSON.stringify(m.body) ?? "null", attempts: m.attempts })),
    Date.now(),
  );
  console.error(`statehouse: recorded ${batch.messages.length} dead letter(s) from ${batch.queue}`);
  batch.ackAll();
}
