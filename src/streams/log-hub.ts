// LogHub: the Durable Object that fans each append to one partition of the global log out to the log's live streams.
import { DurableObject } from "cloudflare:workers";
import { acceptHubSocket, broadcastToHub, hasHubSockets } from "./hub.js";

/**
 * Bridges of SubscribeAll, LogService.Tail and GET /api/v1/log/stream hold a hibernatable
 * WebSocket here (an idle one costs no duration); the Queue consumer publishes each append. A
 * message that does not arrive is a gap the bridge repairs by reading D1, so publishing is best effort.
 */
export class LogHub extends DurableObject<Env> {
  /** Accepts a bridge's WebSocket upgrade. */
  override async fetch(request: Request): Promise<Response> {
    return acceptHubSocket(this.ctx, request);
  }

  /** Broadcasts an encoded LogFeedMessage; the number of bridges it reached. */
  async publish(message: Uint8Array): Promise<number> {
    if (!hasHubSockets(this.ctx)) return 0;
    return broadcastToHub(this.ctx, message);
  }

  /** Bridges send nothing; a stray message is ignored. */
  override async webSocketMessage(): Promise<void> {}

  /** The bridge went away; the runtime answers its close frame (web_socket_auto_reply_to_close). */
  override async webSocketClose(): Promise<void> {}
}
