// A fetch wrapper that signs each request as Standard Webhooks do, whatever the protocol's body.
import { decodeBase64, encodeBase64 } from "../payload/index.js";
import type { FetchFn } from "./handler-target.js";

const encoder = new TextEncoder();

/**
 * The `webhook-signature` value: "v1," + base64 HMAC-SHA256 over `${id}.${timestamp}.` followed by
 * the raw body bytes, keyed with the base64 part of a `whsec_` secret (standardwebhooks.com).
 * For JSON bodies this is exactly the spec; for binary protocols the raw bytes are signed as sent.
 */
export async function signWebhook(secret: string, id: string, timestamp: number, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    decodeBase64(secret.replace(/^whsec_/, ""), "secret"),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.byteLength + body.byteLength);
  content.set(prefix);
  content.set(body, prefix.byteLength);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
  return `v1,${encodeBase64(mac)}`;
}

/**
 * Wraps a handler fetch so each request carries a Standard Webhooks signature. The caller sets
 * `webhook-id` (stable per event and read side, so a handler can drop duplicates); the timestamp
 * is the time of this attempt, so a handler can reject replays of old requests.
 */
export function createSigningFetch(target: FetchFn, secret: string | undefined): FetchFn {
  if (secret === undefined) return target;
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    const id = headers.get("webhook-id");
    if (id === null) throw new Error("a signed request needs a webhook-id header");
    const timestamp = Math.floor(Date.now() / 1000);
    headers.set("webhook-timestamp", String(timestamp));
    headers.set("webhook-signature", await signWebhook(secret, id, timestamp, bodyBytes(init?.body)));
    return target(input, { ...init, headers });
  };
}

function bodyBytes(body: BodyInit | null | undefined): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new Error("a signed request needs a string or byte body");
}
