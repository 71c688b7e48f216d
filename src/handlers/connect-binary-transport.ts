// The Connect protocol with binary protobuf bodies (WRITE_HANDLER_PROTOCOL=connect).
import type { Transport } from "@connectrpc/connect";
import { createConnectUnaryTransport } from "./connect-unary.js";
import type { ProtocolOptions } from "./protocol-options.js";

/** A transport to a handler that speaks Connect with binary bodies (unary calls written out: connect-unary.ts). */
export function createConnectBinaryTransport(options: ProtocolOptions): Transport {
  return createConnectUnaryTransport(options, true);
}
