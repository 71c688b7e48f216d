// The friendly JSON form of google.protobuf.Any: plain objects travel as Struct, typed ones by "@type".
import { create, fromJson, toJson, type JsonObject, type JsonValue, type Registry } from "@bufbuild/protobuf";
import { type Any, AnySchema, StructSchema, anyIs, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { StatehouseError, messageOf } from "../errors.js";
import { log } from "../log.js";
import { encodeBase64 } from "./base64.js";
import { checkJsonDepth, jsonDepth } from "./json-depth.js";
import { typeNameOf } from "./registry.js";

/**
 * Turns a JSON value into an Any. A plain object becomes a google.protobuf.Struct; an object with
 * "@type" is read as proto3 JSON of that type, which must be in the registry — an unknown type is
 * invalid_argument here, before any command runs, and so is a plain object nested deeper than
 * MAX_JSON_DEPTH.
 */
export function anyFromFriendlyJson(value: unknown, registry: Registry, field: string): Any {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new StatehouseError("invalid_argument", `${field} must be a JSON object`);
  }
  const obj = value as JsonObject;
  if (!("@type" in obj)) {
    checkJsonDepth(jsonDepth(obj), field);
    return anyPack(StructSchema, fromJson(StructSchema, obj));
  }
  const typeUrl = obj["@type"];
  if (typeof typeUrl !== "string" || typeUrl === "") {
    throw new StatehouseError("invalid_argument", `${field}["@type"] must be a non-empty string`);
  }
  const name = typeNameOf(typeUrl);
  if (registry.getMessage(name) === undefined) {
    throw new StatehouseError(
      "invalid_argument",
      `${field} has unknown type ${typeUrl}: add it to the descriptor set (descriptors/user.binpb)`,
    );
  }
  try {
    return fromJson(AnySchema, obj, { registry });
  } catch (cause) {
    throw new StatehouseError("invalid_argument", `${field} is not valid JSON for ${name}: ${messageOf(cause)}`);
  }
}

/**
 * Renders an Any as friendly JSON: a Struct as a plain object, a registered type as proto3 JSON
 * with "@type", and a type the registry does not know as {"@type", "@bytes": base64} — so a
 * response never fails for lack of a schema. An unset Any renders as null.
 */
export function anyToFriendlyJson(any: Any | undefined, registry: Registry): JsonValue {
  if (any === undefined || any.typeUrl === "") return null;
  if (anyIs(any, StructSchema)) {
    const struct = anyUnpack(any, StructSchema);
    if (struct !== undefined) return toJson(StructSchema, struct);
  }
  const name = typeNameOf(any.typeUrl);
  if (registry.getMessage(name) !== undefined) {
    try {
      return toJson(AnySchema, any, { registry });
    } catch (cause) {
      log.warn(`statehouse: cannot render ${name} as JSON, sending bytes`, { type_name: name, error: cause });
    }
  }
  return { "@type": any.typeUrl, "@bytes": encodeBase64(any.value) };
}

/** An Any with no type and no value: what handlers send for "nothing". */
export function isEmptyAny(any: Any | undefined): boolean {
  return any === undefined || (any.typeUrl === "" && any.value.byteLength === 0);
}

/** google.protobuf.Empty packed in an Any: the prior state of a new entity. */
export function emptyStateAny(): Any {
  return create(AnySchema, { typeUrl: "type.googleapis.com/google.protobuf.Empty", value: new Uint8Array() });
}
