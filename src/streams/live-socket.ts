// The front door's end of a hub's WebSocket: upgrade, decode each message, report the close once.
import { StatehouseError, messageOf } from "../errors.js";
import { log } from "../log.js";
import type { LiveConnection, LiveHandlers, LiveMessage } from "./feed-source.js";

/** Close code the bridge uses when it ends a hub connection itself. */
const NORMAL_CLOSURE = 1000;

/**
 * Opens a WebSocket to a hub Durable Object (`upgrade` sends the upgrade request, e.g.
 * `stub.fetch(url, { headers: { upgrade: "websocket" } })`) and feeds every decoded message to
 * `handlers`. A message that fails to decode closes the connection, so the core reconnects and
 * catches up rather than skipping it.
 */
export async function openHubSocket<T>(
  upgrade: () => Promise<Response>,
  decode: (data: ArrayBuffer | string) => LiveMessage<T>,
  handlers: LiveHandlers<T>,
): Promise<LiveConnection> {
  const res = await upgrade();
  const ws = res.webSocket;
  if (res.status !== 101 || ws === null) {
    await res.body?.cancel();
    throw new StatehouseError("unavailable", `the hub refused the live connection (HTTP ${res.status})`);
  }
  ws.accept();
  // With the standard binaryType ("blob"), binary messages would arrive as Blobs needing an await each.
  ws.binaryType = "arraybuffer";
  let done = false;
  const finish = (code: number, reason: string) => {
    if (done) return;
    done = true;
    handlers.closed({ code, reason });
  };
  ws.addEventListener("message", (event) => {
    if (done) return;
    let msg: LiveMessage<T>;
    try {
      msg = decode(event.data);
    } catch (cause) {
      log.error("statehouse: undecodable hub message; reconnecting", { error: cause });
      closeSocket(ws, 4500, "undecodable message");
      finish(4500, `undecodable message: ${messageOf(cause)}`);
      return;
    }
    handlers.message(msg);
  });
  ws.addEventListener("close", (event) => finish(event.code, event.reason));
  ws.addEventListener("error", (event) => finish(1006, messageOf(event.error ?? "error")));
  return {
    close() {
      done = true;
      closeSocket(ws, NORMAL_CLOSURE, "done");
    },
  };
}

function closeSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING) return;
  try {
    ws.close(code, reason);
  } catch (cause) {
    // Closing races the peer's close; either way the socket is gone, which is what we wanted.
    log.warn("statehouse: closing a hub socket failed", { error: cause });
  }
}
