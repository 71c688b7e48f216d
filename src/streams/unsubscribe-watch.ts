// The bridge's side of Unsubscribe: a socket to the subscription's object that resolves when Unsubscribe closes it.
import { StatehouseError } from "../errors.js";
import { log } from "../log.js";
import { openHubSocket } from "./live-socket.js";
import type { LiveConnection } from "./feed-source.js";
import { RECONNECT_DELAYS_MS } from "./reconnect.js";
import { UNSUBSCRIBED_CLOSE_CODE } from "./hub.js";
import type { SubscriptionObject } from "./subscription-object.js";

/** A stream's registration under its subscription id. */
export interface UnsubscribeWatch {
  /** Resolves when Unsubscribe (or UnsubscribeAll) names this subscription id. */
  readonly unsubscribed: Promise<void>;
  /** Drops the registration (the stream ended for another reason). */
  close(): void;
}

/**
 * Registers a stream under `subscriptionId`; resolves once the registration is live, so an
 * Unsubscribe sent after the first message always reaches the stream. When the object's socket
 * closes for another reason (eviction, deploy) the watch reconnects.
 */
export async function watchUnsubscribe(ns: DurableObjectNamespace<SubscriptionObject>, subscriptionId: string): Promise<UnsubscribeWatch> {
  let resolve!: () => void;
  const unsubscribed = new Promise<void>((r) => (resolve = r));
  let closed = false;
  let connection: LiveConnection | undefined;

  const connect = async (): Promise<void> => {
    // A fresh stub each time: a stub whose object was reset keeps failing.
    const stub = ns.get(ns.idFromName(subscriptionId));
    connection = await openHubSocket<never>(
      () => stub.fetch("https://subscription/watch", { headers: { upgrade: "websocket" } }),
      () => ({ head: 0 }),
      { message: () => undefined, closed: ({ code }) => void onClosed(code) },
    );
  };
  const onClosed = async (code: number): Promise<void> => {
    if (closed) return;
    if (code === UNSUBSCRIBED_CLOSE_CODE) {
      resolve();
      return;
    }
    for (const delay of RECONNECT_DELAYS_MS) {
      await new Promise((r) => setTimeout(r, delay));
      if (closed) return;
      try {
        await connect();
        // The stream may have ended while this registration was being made.
        if (closed) connection?.close();
        return;
      } catch (cause) {
        log.warn(`statehouse: re-registering subscription ${subscriptionId} failed; retrying`, { error: cause });
      }
    }
    log.error(`statehouse: subscription ${subscriptionId} lost its registration; Unsubscribe will not reach it`);
  };

  try {
    await connect();
  } catch (cause) {
    throw new StatehouseError("unavailable", `could not register subscription ${subscriptionId}`, [], { cause });
  }
  return {
    unsubscribed,
    close() {
      closed = true;
      connection?.close();
    },
  };
}

/** Ends every stream registered under `subscriptionId`; the number reached (0 when none exists). */
export async function unsubscribe(ns: DurableObjectNamespace<SubscriptionObject>, subscriptionId: string): Promise<number> {
  return ns.get(ns.idFromName(subscriptionId)).unsubscribe();
}
