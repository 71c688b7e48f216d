// Public surface of readside/: the queue consumers, the reconciler, the operator's manager, webhook ids.
import type { DeadLetterStore } from "../control/index.js";
import type { Partitions } from "../partition/index.js";
import type { ReadSideContext } from "./context.js";
import { consumeEvents } from "./consumer.js";
import { recordDeadLetters } from "./dead-letters.js";

export { createReadSideContext } from "./context.js";
export type { ReadSideContext, ReadSideDeps } from "./context.js";
export { BATCH_BUDGET_MS, DELIVERY_CONCURRENCY, JOURNAL_PAGE, RETRY_DELAY_SECONDS, consumeEvents } from "./consumer.js";
export { recordDeadLetters } from "./dead-letters.js";
export { RECONCILE_GRACE_MS, reconcile } from "./reconciler.js";
export type { ReconcileReport } from "./reconciler.js";
export { ReadSideManager } from "./manager.js";
export type { CursorQuery, Scope, ShardOffset } from "./manager.js";
export type { CursorFailure, EntityCursor, EntityCursorState } from "./entity-cursor.js";
export type { ReadSideState, ReadSideStatus } from "./read-side-status.js";
export type { ReadSideView } from "./read-side-view.js";
export type { DeadLetter } from "../control/index.js";
export type { ParkedView } from "../partition/index.js";
export type { ConsumerMessage, DeliveryMessage, SweepMessage } from "./messages.js";
export { backoffSeconds, decideOnFailure } from "./policy.js";
export type { FailureAction } from "./policy.js";
export { webhookId } from "./webhook-id.js";

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
