// What every protocol's transport is built from, and its form for connect-web's transports.
import type { Registry } from "@bufbuild/protobuf";
import type { FetchFn } from "./handler-fetch.js";

/** Everything a protocol needs to build its transport to one handler. */
export interface ProtocolOptions {
  /** The URL the protocol's paths are appended to, without a trailing slash. */
  baseUrl: string;
  /** The fetch every request goes through (handler fetch, signing). */
  fetch: FetchFn;
  /** The user's types, for JSON bodies that hold a google.protobuf.Any. */
  registry: Registry;
}

/** The options connect-web's transports share; unknown fields are ignored, as a newer handler may send them. */
export function connectWebOptions(options: ProtocolOptions) {
  return {
    baseUrl: options.baseUrl,
    fetch: options.fetch as typeof globalThis.fetch,
    jsonOptions: { registry: options.registry, ignoreUnknownFields: true },
  };
}
