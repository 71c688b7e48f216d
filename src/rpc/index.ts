// Public surface of rpc/: the Connect services, built once, and the adapter that serves them.
export type { ConnectFetchHandler } from "./connect-adapter.js";
export {
  type CommandOptions,
  type CommandPayload,
  type CommandRequest,
  buildCommandInput,
  readCommand,
} from "./command-input.js";
export { type CrudRequestValues, createRequestCrudStore } from "./eskit-crud-service.js";
export { JOURNAL_PAGE_DEFAULT, JOURNAL_PAGE_MAX, journalLimit } from "./entity-service.js";
export {
  IDEMPOTENCY_KEY_HEADER,
  optionsFromHeaders,
  parseIdempotencyKey,
  parseUint32,
  pickHeaders,
} from "./request-options.js";
export { type RpcRequestValues, createRequestContextValues } from "./request-values.js";
export { createConnectServices } from "./connect-services.js";
