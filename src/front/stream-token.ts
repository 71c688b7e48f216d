// Short-lived stream tokens for EventSource (which cannot send headers): HMAC-signed, read-only, expiring, keyed by an API token.
import { StatehouseError } from "../errors.js";
import { decodeBase64, encodeBase64Url } from "../payload/index.js";

/** Lifetime of a stream token when the mint request names none, and the longest allowed. */
export const DEFAULT_STREAM_TOKEN_TTL_SECONDS = 300;
export const MAX_STREAM_TOKEN_TTL_SECONDS = 3600;

const PREFIX = "sst1";
const encoder = new TextEncoder();

interface Payload {
  /** Key id: a short hash of the API token that signed it, so verification finds its key. */
  kid: string;
  scope: "read";
  /** Expiry, epoch seconds. */
  exp: number;
}

/**
 * Mints a stream token signed with `apiToken` (HMAC-SHA256). Revoking that API token (removing
 * it from STATEHOUSE_API_TOKENS) revokes every stream token it minted; no other secret exists.
 */
export async function mintStreamToken(apiToken: string, ttlSeconds: number, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const payload: Payload = { kid: await keyId(apiToken), scope: "read", exp };
  const body = encodeBase64Url(encoder.encode(JSON.stringify(payload)));
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(apiToken), encoder.encode(`${PREFIX}.${body}`));
  return { token: `${PREFIX}.${body}.${encodeBase64Url(new Uint8Array(signature))}`, expiresAt: new Date(exp * 1000) };
}

/**
 * Checks a stream token against the configured API tokens: its signature (in constant time, by
 * crypto.subtle.verify), its scope and its expiry. Throws UNAUTHENTICATED with the reason.
 */
export async function verifyStreamToken(token: string, apiTokens: readonly string[], now = Date.now()): Promise<void> {
  const [prefix, body, signature, ...rest] = token.split(".");
  if (prefix !== PREFIX || body === undefined || signature === undefined || rest.length > 0) {
    throw new StatehouseError("unauthenticated", "access_token is not a stream token: mint one with POST /api/v1/stream-tokens");
  }
  const payload = parsePayload(body);
  const signed = encoder.encode(`${PREFIX}.${body}`);
  const mac = decodeSignature(signature);
  let valid = false;
  for (const apiToken of apiTokens) {
    if ((await keyId(apiToken)) !== payload?.kid) continue;
    if (await crypto.subtle.verify("HMAC", await hmacKey(apiToken), mac, signed)) valid = true;
  }
  if (!valid || payload === undefined) throw new StatehouseError("unauthenticated", "invalid stream token");
  if (payload.exp * 1000 <= now) {
    throw new StatehouseError(
      "unauthenticated",
      `stream token expired at ${new Date(payload.exp * 1000).toISOString()}: mint a new one with POST /api/v1/stream-tokens`,
    );
  }
}

/** A TTL from a mint request: absent means the default; 1..MAX_STREAM_TOKEN_TTL_SECONDS. */
export function streamTokenTtl(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_STREAM_TOKEN_TTL_SECONDS;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_STREAM_TOKEN_TTL_SECONDS) {
    throw new StatehouseError("invalid_argument", `ttl_seconds must be a whole number from 1 to ${MAX_STREAM_TOKEN_TTL_SECONDS}`);
  }
  return value;
}

function parsePayload(body: string): Payload | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(decodeBase64(body, "stream token"))) as Partial<Payload>;
    if (typeof value.kid === "string" && typeof value.exp === "number" && value.scope === "read") return value as Payload;
  } catch (cause) {
    // A forged or truncated token: reported below as invalid, like a bad signature.
    if (!(cause instanceof SyntaxError || cause instanceof StatehouseError)) throw cause;
  }
  return undefined;
}

function decodeSignature(signature: string): Uint8Array {
  try {
    return decodeBase64(signature, "stream token signature");
  } catch (cause) {
    throw new StatehouseError("unauthenticated", "invalid stream token", [], { cause });
  }
}

async function keyId(apiToken: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(`statehouse stream key ${apiToken}`)));
  return encodeBase64Url(digest.slice(0, 9));
}

async function hmacKey(apiToken: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(apiToken), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}
