// The Connect protocol with JSON bodies (WRITE_HANDLER_PROTOCOL=connect-json); Any needs the user's types.
import type { Transport } from "@connectrpc/connect";
import { createTransport } from "@connectrpc/connect/protocol-connect";
import { type ProtocolOptions, protocolTransportOptions } from "./protocol-options.js";

/** A transport to a handler that speaks Connect with JSON bodies (connect-es's protocol transport over createBytesClient). */
export function createConnectJsonTransport(options: ProtocolOptions): Transport {
  return createTransport(protocolTransportOptions(options, false));
}
