// The Connect protocol with binary protobuf bodies (WRITE_HANDLER_PROTOCOL=connect).
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { type ProtocolOptions, connectWebOptions } from "./protocol-options.js";

/** A transport to a handler that speaks Connect with binary bodies. */
export function createConnectBinaryTransport(options: ProtocolOptions): Transport {
  return createConnectTransport({ ...connectWebOptions(options), useBinaryFormat: true });
}
