// Public surface of rpc/: the Connect services, built once, and the adapter that serves them.
export type { ConnectFetchHandler } from "./connect-adapter.js";
export { type RpcRequestValues, createRequestContextValues } from "./request-values.js";
export { createConnectServices } from "./connect-services.js";
