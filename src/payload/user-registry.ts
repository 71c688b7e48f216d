// The registry built from the bundled descriptor set (descriptors/user.binpb), built once per isolate.
import type { Registry } from "@bufbuild/protobuf";
import userDescriptors from "../../descriptors/user.binpb";
import { createTypeRegistry } from "./registry.js";

let registry: Registry | undefined;

/** The type registry: well-known types, Statehouse's, and the user's descriptor set. */
export function typeRegistry(): Registry {
  registry ??= createTypeRegistry(userDescriptors);
  return registry;
}
