// Chief of State's HTTP JSON form: Any as base64 of its serialized bytes, MetaData in snake_case.
import { fromBinary, toBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import { type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import { StatehouseError } from "../errors.js";
import { decodeBase64, encodeBase64 } from "./base64.js";

/** base64 of a serialized Any, as CoS's HTTP gateway and handlers carry payloads. */
export function anyToBase64(any: Any | undefined): string | undefined {
  return any === undefined ? undefined : encodeBase64(toBinary(AnySchema, any));
}

/** Reads a base64 serialized Any; bad base64 or bytes that are not an Any are invalid_argument. */
export function anyFromBase64(value: unknown, field: string): Any {
  if (typeof value !== "string") throw new StatehouseError("invalid_argument", `${field} must be a base64 string`);
  return anyFromBinary(decodeBase64(value, field), field);
}

/** Reads a serialized Any; bytes that are not an Any are invalid_argument. */
export function anyFromBinary(bytes: Uint8Array, field: string): Any {
  try {
    return fromBinary(AnySchema, bytes);
  } catch {
    throw new StatehouseError("invalid_argument", `${field} is not a serialized google.protobuf.Any`);
  }
}

/** MetaData as snake_case JSON (revision_date as RFC 3339, bytes headers as base64). */
export function metaToCosJson(meta: MetaData): JsonValue {
  return toJson(MetaDataSchema, meta, { useProtoFieldName: true, alwaysEmitImplicit: true });
}
