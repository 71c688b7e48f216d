// Public surface of config/: parse once, read everywhere.
import { StatehouseError } from "../errors.js";
import { type Config, type ConfigEnv, parseConfig } from "./config.js";

export { HANDLER_PROTOCOLS, describeWriteHandler, parseConfig } from "./config.js";
export type { Config, ConfigEnv, ConfigResult, HandlerProtocol, WriteHandlerTarget } from "./config.js";
export { eventQueueBinding, eventQueues } from "./partition-bindings.js";
export {
  FAILURE_POLICIES,
  MAX_READ_SIDE_TIMEOUT_MS,
  ONE_TARGET,
  READ_SIDE_DEFAULTS,
  READ_SIDE_ID_PATTERN,
  checkReadSideSpec,
  invalidReadSide,
  parseReadSideSpec,
  publicSpecToInput,
  readSideInputSchema,
  requireReadSideSpec,
  specToInput,
} from "./read-side-spec.js";
export type { FailurePolicy, PublicReadSideSpec, ReadSideInput, ReadSideSpec, ReadSideSpecResult, ReadSideTarget } from "./read-side-spec.js";
export { applyReadSidePatch, parseReadSidePatch, requireReadSidePatch } from "./read-side-patch.js";
export type { ReadSidePatch } from "./read-side-patch.js";

const cache = new WeakMap<object, Config | StatehouseError>();

/**
 * The Config for this env, parsed once per isolate. A bad configuration is an internal
 * error naming every bad variable, so every request answers it until the configuration is fixed.
 */
export function loadConfig(env: ConfigEnv): Config {
  let entry = cache.get(env);
  if (entry === undefined) {
    const result = parseConfig(env);
    entry = result.ok
      ? result.config
      : new StatehouseError("internal", `invalid configuration: ${result.errors.join("; ")}`);
    cache.set(env, entry);
  }
  if (entry instanceof StatehouseError) throw entry;
  return entry;
}
