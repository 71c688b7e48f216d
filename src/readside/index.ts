// Public surface of readside/: the queue consumers, the reconciler, the operator's manager, webhook ids.
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
export type { ConsumerMessage, DeliveryMessage, SweepMessage } from "./messages.js";
export { backoffSeconds, decideOnFailure } from "./policy.js";
export type { FailureAction } from "./policy.js";
export { webhookId } from "./webhook-id.js";
export { DEAD_LETTER_SUFFIX, handleQueue } from "./queue-handler.js";
