// Public surface of handlers/: clients for the user's write and read-side handlers.
export { createWriteHandler } from "./write-handler.js";
export type { WriteHandler } from "./write-handler.js";
export { findServiceBinding, resolveHandlerTarget } from "./handler-target.js";
export type { HandlerLocation, HandlerTarget } from "./handler-target.js";
export { createHandlerClient, handlerError } from "./connect-client.js";
export type { ConnectClientOptions, ConnectProtocol } from "./connect-client.js";
export { createHandlerFetch } from "./handler-fetch.js";
export type { FetchFn } from "./handler-fetch.js";
export { postCosHttp } from "./cos-http.js";
export { createSigningFetch } from "./signing-fetch.js";
export { MAX_ANSWER_BYTES } from "./limit-answer.js";
