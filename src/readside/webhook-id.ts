// The Standard Webhooks message id of one delivery: the same for every attempt at one event.
import { encodeBase64Url } from "../payload/index.js";

const encoder = new TextEncoder();

/** A webhook id that is the same for every attempt at one event for one read side. */
export async function webhookId(readSideId: string, entityId: string, revision: number): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`${readSideId}\u0000${entityId}\u0000${revision}`));
  return `msg_${encodeBase64Url(new Uint8Array(digest).slice(0, 18))}`;
}
