// Reads Statehouse's per-request options from HTTP headers (Connect services and JSON routes alike): allow-listed headers, revision, idempotency.
import type { Config } from "../config/index.js";
import { StatehouseError } from "../errors.js";

/** Header carrying the expected revision on ChiefOfStateService and the CoS gateway. */
export const EXPECTED_REVISION_HEADER = "statehouse-expected-revision";
/** Header carrying the idempotency key on every command entry point. */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** Longest idempotency key, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/** The allow-listed request headers to propagate to the handler and to persist in meta. */
export function pickHeaders(headers: Headers, config: Config): {
  propagatedHeaders: [string, string][];
  persistedHeaders: [string, string][];
} {
  const pick = (allow: readonly string[]) =>
    allow.flatMap((name): [string, string][] => {
      const value = headers.get(name);
      return value === null ? [] : [[name, value]];
    });
  return { propagatedHeaders: pick(config.propagatedHeaders), persistedHeaders: pick(config.persistedHeaders) };
}

/** Parses an expected revision given as a header or JSON field; undefined when absent. */
export function parseUint32(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new StatehouseError("invalid_argument", `${field} must be a whole number from 0 to 4294967295`);
  }
  return n;
}

/** Validates an idempotency key; undefined when absent. */
export function parseIdempotencyKey(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new StatehouseError(
      "invalid_argument",
      `${field} must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable characters`,
    );
  }
  return value;
}

/** The Statehouse options carried in headers, for the entry points whose bodies have no room. */
export function optionsFromHeaders(headers: Headers): { expectedRevision?: number; idempotencyKey?: string } {
  return {
    expectedRevision: parseUint32(headers.get(EXPECTED_REVISION_HEADER) ?? undefined, `header ${EXPECTED_REVISION_HEADER}`),
    idempotencyKey: parseIdempotencyKey(headers.get(IDEMPOTENCY_KEY_HEADER) ?? undefined, `header ${IDEMPOTENCY_KEY_HEADER}`),
  };
}
