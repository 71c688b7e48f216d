// Public surface of config/: parse once, read everywhere.
export { HANDLER_PROTOCOLS, describeWriteHandler, parseConfig } from "./config.js";
export type { Config, ConfigEnv, ConfigResult, HandlerProtocol, WriteHandlerTarget } from "./config.js";
export { loadConfig } from "./load-config.js";
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
