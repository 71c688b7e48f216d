// Public surface of readside/: the queue consumers, the operator's manager, webhook ids and shards.
import { parseConfig } from "../config/index.js";
import { createParkedStore } from "../cursors/index.js";
import { createReadSideContext } from "./context.js";
import { consumeEvents } from "./consumer.js";
import { recordDeadLetters } from "./dead-letters.js";
import { reconcile } from "./reconciler.js";

export { createReadSideContext } from "./context.js";
export type { ReadSideContext } from "./context.js";
export { BATCH_BUDGET_MS, DELIVERY_CONCURRENCY, JOURNAL_PAGE, RETRY_DELAY_SECONDS, consumeEvents } from "./consumer.js";
export { recordDeadLetters } from "./dead-letters.js";
export { RECONCILE_GRACE_MS, reconcile } from "./reconciler.js";
export type { ReconcileReport } from "./reconciler.js";
export { ReadSideManager } from "./manager.js";
export type { CursorQuery, Scope, ShardOffset } from "./manager.js";
export type { CursorFailure, EntityCursor, EntityCursorState } from "./entity-cursor.js";
export type { ReadSideState, ReadSideStatus } from "./read-side-status.js";
export type { ReadSideView } from "./read-side-view.js";
export type { DeadLetter, ParkedView } from "../cursors/index.js";
export type { ConsumerMessage, DeliveryMessage, SweepMessage } from "./messages.js";
export { backoffSeconds, decideOnFailure } from "./policy.js";
export type { FailureAction } from "./policy.js";
export { webhookId } from "./webhook-id.js";
export { eventTag, shardOf } from "./shard.js";

/** Queue names ending in this are dead-letter queues. */
export const DEAD_LETTER_SUFFIX = "-dlq";

/**
 * The Worker's queue() handler: dead letters are recorded, everything else is delivered. Every
 * message is settled before it returns, so the execution context needs no waitUntil.
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env, _ctx?: ExecutionContext): Promise<void> {
  // Dead letters are recorded even when the configuration is broken (they need only D1).
  if (batch.queue.endsWith(DEAD_LETTER_SUFFIX)) {
    const parsed = parseConfig(env);
    await recordDeadLetters(batch, createParkedStore(env.DB), parsed.ok ? parsed.config.numShards : DEFAULT_SHARDS);
  } else {
    await consumeEvents(batch, createReadSideContext(env));
  }
}

/** COS_NUM_SHARDS's default, for dead letters recorded while the configuration is broken. */
const DEFAULT_SHARDS = 16;

/** The Worker's scheduled() handler: the reconciler, run by the Cron Trigger in wrangler.toml. */
export async function handleScheduled(_controller: ScheduledController, env: Env, _ctx?: ExecutionContext): Promise<void> {
  await reconcile(createReadSideContext(env));
}
