// What every protocol's transport is built from, and its form for connect-es's protocol transports.
import type { Registry } from "@bufbuild/protobuf";
import { createBytesClient } from "./bytes-client.js";
import type { HandlerFetch } from "./handler-fetch.js";
import { MAX_ANSWER_BYTES } from "./read-answer.js";

/** Everything a protocol needs to build its transport to one handler. */
export interface ProtocolOptions {
  /** The URL the protocol's paths are appended to, without a trailing slash. */
  baseUrl: string;
  /** The handler fetch every request goes through (signing, caps, errors; see createHandlerFetch). */
  fetch: HandlerFetch;
  /** The user's types, for JSON bodies that hold a google.protobuf.Any. */
  registry: Registry;
}

/**
 * The options connect-es's protocol transports (`createTransport` of protocol-connect and
 * protocol-grpc-web) share: no compression, no interceptors, answers capped at MAX_ANSWER_BYTES,
 * unknown JSON fields ignored, as a newer handler may send them.
 */
export function protocolTransportOptions(options: ProtocolOptions, useBinaryFormat: boolean) {
  return {
    httpClient: createBytesClient(options.fetch),
    baseUrl: options.baseUrl,
    useBinaryFormat,
    interceptors: [],
    jsonOptions: { registry: options.registry, ignoreUnknownFields: true },
    acceptCompression: [],
    sendCompression: null,
    compressMinBytes: Number.MAX_SAFE_INTEGER,
    readMaxBytes: MAX_ANSWER_BYTES,
    writeMaxBytes: 0xffffffff,
  };
}
