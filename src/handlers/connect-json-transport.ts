// The Connect protocol with JSON bodies (WRITE_HANDLER_PROTOCOL=connect-json); Any needs the user's types.
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { type ProtocolOptions, connectWebOptions } from "./protocol-options.js";

/** A transport to a handler that speaks Connect with JSON bodies. */
export function createConnectJsonTransport(options: ProtocolOptions): Transport {
  return createConnectTransport({ ...connectWebOptions(options), useBinaryFormat: false });
}
