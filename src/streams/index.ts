// Public surface of streams/: the feed core that turns a hub's live messages plus catch-up reads into one ordered stream, and Unsubscribe across isolates.
export type { FeedPage, FeedSource, LiveConnection, LiveHandlers, LiveMessage } from "./feed-source.js";
export { DEFAULT_BUFFER, type FollowOptions, followFeed } from "./follow-feed.js";
export { type MergedFollowOptions, followMerged } from "./merged-follow.js";
export type { FeedEvent, MailboxLimits } from "./mailbox.js";
export { HUB_TAG, UNSUBSCRIBED_CLOSE_CODE, acceptHubSocket, broadcastToHub, closeHubSocket, hasHubSockets } from "./hub.js";
export { openHubSocket } from "./live-socket.js";
export { RECONNECT_DELAYS_MS } from "./reconnect.js";
// The Durable Object classes are exported from src/index.ts only; their types type the stubs.
export type { SubscriptionObject } from "./subscription-object.js";
export { type UnsubscribeWatch, unsubscribe, watchUnsubscribe } from "./unsubscribe-watch.js";
export { SUBSCRIPTIONS_DISABLED_MESSAGE, requireSubscriptions } from "./require-subscriptions.js";
export type { LogHub } from "./log-hub.js";
export { LOG_HUB_NAME, createLogFeedSource, encodeLogFeed, logHubName, publishAppends } from "./log-feed.js";
export { type LogStream, type LogStreamRequest, type LogStreams, type StreamedEntry, createLogStreams } from "./log-stream.js";
