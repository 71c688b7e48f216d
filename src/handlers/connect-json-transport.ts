// The Connect protocol with JSON bodies (WRITE_HANDLER_PROTOCOL=connect-json); Any needs the user's types.
import type { Transport } from "@connectrpc/connect";
import { createConnectUnaryTransport } from "./connect-unary.js";
import type { ProtocolOptions } from "./protocol-options.js";

/** A transport to a handler that speaks Connect with JSON bodies (unary calls written out: connect-unary.ts). */
export function createConnectJsonTransport(options: ProtocolOptions): Transport {
  return createConnectUnaryTransport(options, false);
}
