// Public surface of entity/: what crosses EntityObject's RPC boundary, its client, its ports and subscriptions to one entity (the class itself is exported from src/index.ts).
export type { EntityPorts } from "./entity-ports.js";
export { IDEMPOTENCY_TTL_MS } from "./idempotency.js";
export { JOURNAL_PAGE_BYTES } from "./entity-reads.js";
export { MAX_ROW_BYTES } from "./journal-row.js";
export { MAX_ENTITY_ID_BYTES, entityIdProblem } from "./entity-id.js";
export { MAX_CARRIED_BYTES } from "./outbox.js";
export type { EventsMessage } from "./outbox.js";
export type { CommandInput, JournalPage, RpcResult, StateReply } from "./rpc-types.js";
export type { BuiltinHandler, BuiltinHandlers } from "./builtins.js";
export type { TypeValidation } from "./fold.js";
export type { JournalEntry } from "./journal/index.js";
export { createEntityClient, decodeJournalEntry, decodeState } from "./entity-client.js";
export { createEntityFeedSource } from "./entity-feed.js";
export { MAX_FEED_MESSAGE_BYTES, decodeFeedMessage, encodeFeedMessage } from "./feed-broadcast.js";
export { createEntitySubscriptions } from "./entity-subscription.js";
export type { EntitySubscriptionRequest, EntitySubscriptions, SubscriptionItem, SubscriptionStream } from "./entity-subscription.js";
export type { DecodedJournalEntry, EntityClient, EntityState } from "./entity-client.js";
