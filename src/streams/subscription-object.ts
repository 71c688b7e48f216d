// SubscriptionObject: one tiny Durable Object per subscription id, so Unsubscribe reaches a stream served by any isolate.
import { DurableObject } from "cloudflare:workers";
import { UNSUBSCRIBED_CLOSE_CODE, acceptHubSocket, closeHubSocket } from "./hub.js";

/**
 * Every stream with this subscription id holds a hibernatable WebSocket to this object; it
 * stores nothing. `unsubscribe` closes them all with UNSUBSCRIBED_CLOSE_CODE, and each bridge
 * then ends its stream cleanly. Subscribe and SubscribeAll share the id space.
 */
export class SubscriptionObject extends DurableObject<Env> {
  /** Accepts a bridge's WebSocket upgrade. */
  override async fetch(request: Request): Promise<Response> {
    return acceptHubSocket(this.ctx, request);
  }

  /** Ends every stream with this id; the number of streams it reached (0 when none exists). */
  async unsubscribe(): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) closeHubSocket(ws, UNSUBSCRIBED_CLOSE_CODE, "unsubscribed");
    return sockets.length;
  }

  /** Bridges send nothing; a stray message is ignored. */
  override async webSocketMessage(): Promise<void> {}

  /** The bridge went away; the runtime answers its close frame (web_socket_auto_reply_to_close). */
  override async webSocketClose(): Promise<void> {}
}
