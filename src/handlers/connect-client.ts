// Connect clients for a user's handler over Connect (binary or JSON) or gRPC-Web.
import type { DescService, Registry } from "@bufbuild/protobuf";
import { type Client, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { StatehouseError, messageOf } from "../errors.js";
import type { FetchFn } from "./handler-fetch.js";

/** The three protocols served through connect-es clients. */
export type ConnectProtocol = "connect" | "connect-json" | "grpc-web";

/** Everything needed to reach one handler service. */
export interface ConnectClientOptions {
  protocol: ConnectProtocol;
  baseUrl: string;
  fetch: FetchFn;
  timeoutMs: number;
  registry: Registry;
}

/** A typed Connect client for `service` on the handler described by `opts`. */
export function createHandlerClient<S extends DescService>(service: S, opts: ConnectClientOptions): Client<S> {
  const common = {
    baseUrl: opts.baseUrl,
    fetch: opts.fetch as typeof globalThis.fetch,
    defaultTimeoutMs: opts.timeoutMs,
    jsonOptions: { registry: opts.registry, ignoreUnknownFields: true },
  };
  const transport =
    opts.protocol === "grpc-web"
      ? createGrpcWebTransport({ ...common, useBinaryFormat: true })
      : createConnectTransport({ ...common, useBinaryFormat: opts.protocol === "connect" });
  return createClient(service, transport);
}

/**
 * Normalises a failed handler call: the handler's own errors keep code, message and details;
 * our fetch wrapper's errors keep theirs; anything else is the transport failing.
 */
export function handlerError(cause: unknown, what: string): StatehouseError {
  if (cause instanceof StatehouseError) return cause;
  if (cause instanceof ConnectError) {
    const inner = cause.cause;
    if (inner instanceof StatehouseError) return inner;
    // The client could not read the answer: the handler's fault, never the caller's.
    if (inner instanceof SyntaxError || /^(protocol error|parse binary|cannot decode)/.test(cause.rawMessage)) {
      return new StatehouseError("internal", `${what} answered an invalid body: ${cause.rawMessage}`);
    }
    return StatehouseError.from(cause);
  }
  return new StatehouseError("unavailable", `${what} failed: ${messageOf(cause)}`);
}
