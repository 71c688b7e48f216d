// Base64 in every form Statehouse reads or writes: strict for bodies, lenient for -bin headers, URL-safe for ids.
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import { StatehouseError } from "../errors.js";

const STANDARD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** Decodes standard (padded) or URL-safe (unpadded) base64; anything else is invalid_argument. */
export function decodeBase64(text: string, field: string): Uint8Array {
  const s = text.trim();
  if (!STANDARD.test(s) && !(URL_SAFE.test(s) && s.length % 4 !== 1)) {
    throw new StatehouseError("invalid_argument", `${field} is not valid base64`);
  }
  return base64Decode(s);
}

/** Encodes standard padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return base64Encode(bytes);
}

/** Encodes URL-safe base64 without padding (RFC 4648 §5), for ids that travel in URLs and headers. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return base64Encode(bytes, "url");
}

/**
 * Decodes base64 as gRPC's "-bin" headers allow it: either alphabet, padding optional, white
 * space ignored. Input with characters outside base64 is invalid_argument.
 */
export function decodeBase64Lenient(text: string, field: string): Uint8Array {
  try {
    return base64Decode(text);
  } catch {
    throw new StatehouseError("invalid_argument", `${field} is not valid base64`);
  }
}
