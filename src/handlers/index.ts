// Public surface of handlers/: clients for the user's write and read-side handlers, one transport per protocol.
export { createWriteHandler } from "./write-handler.js";
export type { WriteHandler } from "./write-handler.js";
export { findServiceBinding, resolveHandlerTarget } from "./handler-target.js";
export type { FetchFn, HandlerLocation, HandlerTarget } from "./handler-target.js";
export { transportFor } from "./transport-for.js";
export type { TransportOptions } from "./transport-for.js";
export { createHandlerFetch } from "./handler-fetch.js";
export type { HandlerAnswer, HandlerFetch } from "./handler-fetch.js";
export { MAX_ANSWER_BYTES } from "./read-answer.js";
