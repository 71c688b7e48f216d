// The Connect protocol with binary protobuf bodies (WRITE_HANDLER_PROTOCOL=connect).
import type { Transport } from "@connectrpc/connect";
import { createTransport } from "@connectrpc/connect/protocol-connect";
import { type ProtocolOptions, protocolTransportOptions } from "./protocol-options.js";

/** A transport to a handler that speaks Connect with binary bodies (connect-es's protocol transport over createBytesClient). */
export function createConnectBinaryTransport(options: ProtocolOptions): Transport {
  return createTransport(protocolTransportOptions(options, true));
}
