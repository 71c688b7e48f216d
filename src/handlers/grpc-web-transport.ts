// The gRPC-Web protocol with binary bodies (WRITE_HANDLER_PROTOCOL=grpc-web).
import type { Transport } from "@connectrpc/connect";
import { createGrpcWebTransport as createConnectWebGrpcWebTransport } from "@connectrpc/connect-web";
import { type ProtocolOptions, connectWebOptions } from "./protocol-options.js";

/** A transport to a handler that speaks gRPC-Web with binary bodies. */
export function createGrpcWebTransport(options: ProtocolOptions): Transport {
  return createConnectWebGrpcWebTransport({ ...connectWebOptions(options), useBinaryFormat: true });
}
