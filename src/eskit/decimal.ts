// eskit's numbers on the wire: versions, log ids and offsets are decimal strings.
import { StatehouseError } from "../errors.js";

/** Digits a decimal id may have: anything longer is past Number.MAX_SAFE_INTEGER anyway. */
const DECIMAL = /^[0-9]{1,16}$/;

/**
 * Parses a whole number written in decimal ("42"); "" is undefined (eskit's "not given"). Signs,
 * spaces, exponents and numbers past 2^53 are invalid_argument naming `field`.
 */
export function parseDecimal(value: string, field: string): number | undefined {
  if (value === "") return undefined;
  const n = DECIMAL.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new StatehouseError("invalid_argument", `${field} must be a whole number in decimal digits, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return n;
}
