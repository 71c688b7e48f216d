// The gRPC-Web protocol with binary bodies (WRITE_HANDLER_PROTOCOL=grpc-web).
import type { Transport } from "@connectrpc/connect";
import { createTransport } from "@connectrpc/connect/protocol-grpc-web";
import { type ProtocolOptions, protocolTransportOptions } from "./protocol-options.js";

/** A transport to a handler that speaks gRPC-Web with binary bodies (connect-es's protocol transport over createBytesClient). */
export function createGrpcWebTransport(options: ProtocolOptions): Transport {
  return createTransport(protocolTransportOptions(options, true));
}
