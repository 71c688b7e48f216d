// What every protocol's transport is built from, and its form for connect-es's protocol transports.
import type { Registry } from "@bufbuild/protobuf";
import type { UniversalClientFn } from "@connectrpc/connect/protocol";
import type { FetchFn } from "./handler-fetch.js";
import { MAX_ANSWER_BYTES } from "./read-answer.js";

/** Everything a protocol needs to build its transport to one handler. */
export interface ProtocolOptions {
  /** The URL the protocol's paths are appended to, without a trailing slash. */
  baseUrl: string;
  /** The fetch every request goes through (handler fetch, signing). */
  fetch: FetchFn;
  /** The user's types, for JSON bodies that hold a google.protobuf.Any. */
  registry: Registry;
}

/** What the Connect and gRPC-Web transports need besides: the same requests as one-shot byte calls (createBytesClient). */
export interface ByteProtocolOptions extends ProtocolOptions {
  httpClient: UniversalClientFn;
}

/**
 * The options connect-es's protocol transports (`createTransport` of protocol-connect and
 * protocol-grpc-web) share: no compression, no interceptors, answers capped at MAX_ANSWER_BYTES,
 * unknown JSON fields ignored, as a newer handler may send them.
 */
export function protocolTransportOptions(options: ByteProtocolOptions, useBinaryFormat: boolean) {
  return {
    httpClient: options.httpClient,
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
