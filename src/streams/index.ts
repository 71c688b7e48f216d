// Public surface of streams/: the feed core that turns a hub's live messages plus catch-up reads into one ordered stream, and Unsubscribe across isolates.
export type { FeedPage, FeedSource, LiveConnection, LiveHandlers, LiveMessage } from "./feed-source.js";
export { DEFAULT_BUFFER, type FollowOptions, followFeed } from "./follow-feed.js";
export { type MergedFollowOptions, followMerged } from "./merged-follow.js";
export type { FeedEvent, MailboxLimits } from "./mailbox.js";
export { HUB_TAG, acceptHubSocket, broadcastToHub, closeHubSocket, hasHubSockets } from "./hub.js";
export { openHubSocket } from "./live-socket.js";
export { RECONNECT_DELAYS_MS } from "./reconnect.js";
export { SubscriptionObject, UNSUBSCRIBED_CLOSE_CODE } from "./subscription-object.js";
export { type UnsubscribeWatch, unsubscribe, watchUnsubscribe } from "./unsubscribe-watch.js";
export { SUBSCRIPTIONS_DISABLED_MESSAGE, requireSubscriptions } from "./require-subscriptions.js";
export { LOG_HUB_NAME, LogHub, logHubName } from "./log-hub.js";
export { createLogFeedSource, encodeLogFeed, publishAppends } from "./log-feed.js";
export { type LogStream, type LogStreamRequest, type LogStreams, type StreamedEntry, createLogStreams } from "./log-stream.js";
