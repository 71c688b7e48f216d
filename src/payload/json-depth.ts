// How deeply JSON may nest so that the protobuf codec can read it back: the limit, and its checks on JSON, JSON text and Struct bytes.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { type Any, ListValueSchema, StructSchema, ValueSchema } from "@bufbuild/protobuf/wkt";
import { StatehouseError } from "../errors.js";
import { typeNameOf } from "./registry.js";

/** Nested messages protobuf-es's binary reader follows at most (`recursionLimit` in from-binary.js, 2.13.0). */
const BINARY_READ_RECURSION_LIMIT = 100;

/**
 * Levels of objects and arrays a JSON value carried as google.protobuf.Struct may nest: each level
 * is two nested messages (a Value holding a Struct or ListValue), so 50 levels are the most the
 * binary reader reads back — and a Struct state deeper than that would make every later read of
 * its entity fail. Commands, events, states and eskit payloads are held to it; a document, which
 * its state holds one object deeper, to one level less.
 */
export const MAX_JSON_DEPTH = Math.floor(BINARY_READ_RECURSION_LIMIT / 2);

/** More than any limit: what the measures answer once they stop counting. */
const TOO_DEEP = Number.POSITIVE_INFINITY;

/**
 * Levels of objects and arrays in a parsed JSON value (a scalar is 0, `{}` is 1), counted up to
 * `limit`; past it, Infinity (the walk stops there, so a hostile depth costs nothing).
 */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  if (typeof value !== "object" || value === null) return 0;
  if (limit === 0) return TOO_DEEP;
  let deepest = 0;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest === TOO_DEEP) break;
  }
  return 1 + deepest;
}

/** The deepest nesting of `[` and `{` in JSON text, outside strings, without parsing it. */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

/**
 * The JSON depth of an Any holding a Struct, Value or ListValue, read from its bytes without
 * decoding them (Infinity past `limit`); undefined for any other type, or bytes that do not parse
 * (those are the reader's to report, not a depth).
 */
export function anyJsonDepth(any: Any, limit = MAX_JSON_DEPTH): number | undefined {
  const name = typeNameOf(any.typeUrl);
  try {
    if (name === StructSchema.typeName) return structDepth(any.value, limit);
    if (name === ListValueSchema.typeName) return listDepth(any.value, limit);
    if (name === ValueSchema.typeName) return valueDepth(any.value, limit);
  } catch {
    // Bytes that do not parse are for the reader to report (the client's or the handler's), not a depth.
    return undefined;
  }
  return undefined;
}

/**
 * Throws invalid_argument naming the limit when `depth` (a measure above) is past it; `what`
 * names the value ("command", "document").
 */
export function checkJsonDepth(depth: number | undefined, what: string, limit = MAX_JSON_DEPTH): void {
  if (depth === undefined || depth <= limit) return;
  throw new StatehouseError(
    "invalid_argument",
    `${what} nests objects and arrays more than ${limit} levels deep; the limit is ${limit} (deeper JSON cannot be read back from protobuf)`,
  );
}

// Struct {map<string, Value> fields = 1}; its entries {string key = 1; Value value = 2}.
function structDepth(bytes: Uint8Array, limit: number): number {
  if (limit === 0) return TOO_DEEP;
  let deepest = 0;
  for (const entry of lengthDelimited(bytes, 1)) {
    for (const value of lengthDelimited(entry, 2)) deepest = Math.max(deepest, valueDepth(value, limit - 1));
    if (deepest === TOO_DEEP) break;
  }
  return 1 + deepest;
}

// ListValue {repeated Value values = 1}.
function listDepth(bytes: Uint8Array, limit: number): number {
  if (limit === 0) return TOO_DEEP;
  let deepest = 0;
  for (const value of lengthDelimited(bytes, 1)) {
    deepest = Math.max(deepest, valueDepth(value, limit - 1));
    if (deepest === TOO_DEEP) break;
  }
  return 1 + deepest;
}

// Value {oneof kind {…; Struct struct_value = 5; ListValue list_value = 6}}: a scalar adds no level.
function valueDepth(bytes: Uint8Array, limit: number): number {
  let deepest = 0;
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    if (wire === WireType.LengthDelimited && (no === 5 || no === 6)) {
      const inner = reader.bytes();
      deepest = Math.max(deepest, no === 5 ? structDepth(inner, limit) : listDepth(inner, limit));
    } else {
      reader.skip(wire, no);
    }
  }
  return deepest;
}

/** The payloads of every length-delimited field numbered `field` in a message's bytes. */
function* lengthDelimited(bytes: Uint8Array, field: number): Generator<Uint8Array> {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    if (no === field && wire === WireType.LengthDelimited) yield reader.bytes();
    else reader.skip(wire, no);
  }
}
