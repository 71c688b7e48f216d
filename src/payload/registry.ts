// The type registry for JSON forms of Any: well-known types, Statehouse's own, and the user's descriptor set.
import { createFileRegistry, createRegistry, fromBinary, type Registry } from "@bufbuild/protobuf";
import {
  FileDescriptorSetSchema,
  file_google_protobuf_any,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { file_chief_of_state_v1_common } from "../gen/chief_of_state/v1/common_pb.js";
import { file_contracts_eventstore_event } from "../gen/contracts/eventstore/event_pb.js";
import { file_statehouse_v1_entity } from "../gen/statehouse/v1/entity_pb.js";
import { StatehouseError } from "../errors.js";

/**
 * Builds the registry used to read and write google.protobuf.Any as JSON. The well-known types
 * always resolve, so plain JSON objects work with no descriptor set, and so does eskit's
 * contracts.eventstore.Event (what EventstoreService.Append stores); the user's types resolve
 * when `descriptorSet` (the output of `buf build -o`, imports included) is non-empty.
 */
export function createTypeRegistry(descriptorSet: Uint8Array | ArrayBuffer): Registry {
  const bytes = descriptorSet instanceof Uint8Array ? descriptorSet : new Uint8Array(descriptorSet);
  const builtIn = [
    file_google_protobuf_any,
    file_google_protobuf_duration,
    file_google_protobuf_empty,
    file_google_protobuf_field_mask,
    file_google_protobuf_struct,
    file_google_protobuf_timestamp,
    file_google_protobuf_wrappers,
    file_chief_of_state_v1_common,
    file_statehouse_v1_entity,
    file_contracts_eventstore_event,
  ];
  if (bytes.byteLength === 0) return createRegistry(...builtIn);
  let user: Registry;
  try {
    user = createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));
  } catch (cause) {
    throw new StatehouseError(
      "internal",
      `invalid descriptor set in descriptors/user.binpb (build it with \`buf build -o\`, imports included): ${String(cause)}`,
    );
  }
  return createRegistry(user, ...builtIn);
}

/** The fully qualified message name of an Any's type URL ("type.googleapis.com/a.B" → "a.B"). */
export function typeNameOf(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf("/");
  return slash < 0 ? typeUrl : typeUrl.slice(slash + 1);
}
