// Picks the transport for a handler's protocol and gives it what every call needs: limits, signing, errors.
import type { Registry } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import type { HandlerProtocol } from "../config/index.js";
import { createConnectBinaryTransport } from "./connect-binary-transport.js";
import { createConnectJsonTransport } from "./connect-json-transport.js";
import { createCosHttpTransport } from "./cos-http-transport.js";
import { createGrpcWebTransport } from "./grpc-web-transport.js";
import { guardTransport } from "./guard-transport.js";
import { createHandlerFetch } from "./handler-fetch.js";
import type { HandlerTarget } from "./handler-target.js";
import type { ProtocolOptions } from "./protocol-options.js";

/** Each protocol's transport, one file each. */
const PROTOCOLS: Record<HandlerProtocol, (options: ProtocolOptions) => Transport> = {
  connect: createConnectBinaryTransport,
  "connect-json": createConnectJsonTransport,
  "grpc-web": createGrpcWebTransport,
  "cos-http": createCosHttpTransport,
};

/** How calls to one handler behave, whatever its protocol. */
export interface TransportOptions {
  /** Each call's deadline. */
  timeoutMs: number;
  /** The user's types, for JSON bodies. */
  registry: Registry;
  /** A Standard Webhooks secret (`whsec_…`); when set, every request is signed and needs a `webhook-id` header. */
  signingSecret?: string;
}

/**
 * The transport to `target` in its protocol. Every request goes through the one handler fetch
 * (redirects refused, signed with a secret, answer read whole within its caps, transport failures
 * named); every call has the deadline and fails with a StatehouseError naming the handler.
 */
export function transportFor(target: HandlerTarget, options: TransportOptions): Transport {
  const fetch = createHandlerFetch(target.fetch, target.name, options.signingSecret);
  const transport = PROTOCOLS[target.protocol]({ baseUrl: target.baseUrl, fetch, registry: options.registry });
  return guardTransport(transport, target.name, options.timeoutMs);
}
