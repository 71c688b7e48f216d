// The Worker's queue() handler: dead letters recorded, events delivered, every message settled.
import type { DeadLetterStore } from "../control/index.js";
import type { Partitions } from "../partition/index.js";
import type { ReadSideContext } from "./context.js";
import { consumeEvents } from "./consumer.js";
import { recordDeadLetters } from "./dead-letters.js";

/** Queue names ending in this are dead-letter queues. */
export const DEAD_LETTER_SUFFIX = "-dlq";

/**
 * A batch from any of Statehouse's queues: dead letters are recorded, everything else is
 * delivered. Every message is settled before it returns, so the execution context needs no
 * waitUntil. Dead letters are recorded even when the configuration is broken (they need only the
 * control plane): then `ctx` is undefined and the entity index is not raised.
 */
export async function handleQueue(
  batch: MessageBatch<unknown>,
  deps: { deadLetters: DeadLetterStore; partitions?: Partitions; context?: ReadSideContext },
): Promise<void> {
  if (batch.queue.endsWith(DEAD_LETTER_SUFFIX) || deps.context === undefined) {
    if (!batch.queue.endsWith(DEAD_LETTER_SUFFIX)) {
      // An events batch while the configuration is broken: nothing can be delivered; try later.
      batch.retryAll({ delaySeconds: 30 });
      return;
    }
    await recordDeadLetters(batch, deps);
  } else {
    await consumeEvents(batch, deps.context);
  }
}
