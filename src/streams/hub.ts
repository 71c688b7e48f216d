// A Durable Object's side of its live feed: accept hibernatable WebSockets, broadcast to them, answer their close.
import { log } from "../log.js";

/** The tag a hub's feed sockets carry, so other sockets an object may accept stay apart. */
export const HUB_TAG = "feed";

/** Close code that tells a bridge its subscription was ended by Unsubscribe (end the stream with OK). */
export const UNSUBSCRIBED_CLOSE_CODE = 4000;

/**
 * Accepts an upgrade request as a hibernatable WebSocket (the object may leave memory while it
 * stays connected) and answers 101; anything else answers 426.
 */
export function acceptHubSocket(ctx: DurableObjectState, request: Request): Response {
  if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
    return new Response("expected Upgrade: websocket", { status: 426 });
  }
  const pair = new WebSocketPair();
  ctx.acceptWebSocket(pair[1], [HUB_TAG]);
  return new Response(null, { status: 101, webSocket: pair[0] });
}

/** Whether the hub has any listener: a commit with none pays nothing for the feed. */
export function hasHubSockets(ctx: DurableObjectState): boolean {
  return ctx.getWebSockets(HUB_TAG).length > 0;
}

/**
 * Sends one message to every feed socket. A socket that cannot take it is closed, so its bridge
 * reconnects and catches up from the journal; nothing here throws.
 */
export function broadcastToHub(ctx: DurableObjectState, data: Uint8Array | string): number {
  const sockets = ctx.getWebSockets(HUB_TAG);
  for (const ws of sockets) {
    try {
      ws.send(data);
    } catch (cause) {
      log.warn("statehouse: a feed socket refused a message; closing it so its reader catches up", { error: cause });
      closeHubSocket(ws, 4501, "send failed");
    }
  }
  return sockets.length;
}

/** Closes a feed socket, ignoring one that is already closed. */
export function closeHubSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  try {
    ws.close(code, reason);
  } catch (cause) {
    // The peer closed first; the socket is gone either way.
    log.warn("statehouse: closing a feed socket failed", { error: cause });
  }
}
