// Wraps a protocol's transport: the handler's timeout on every call, every failure a StatehouseError.
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { StatehouseError, messageOf } from "../errors.js";

/** How connect-es and our transports begin the message of an answer they could not read. */
const UNREADABLE = /^(protocol error|parse binary|cannot decode)/;

/**
 * Returns `transport` with `timeoutMs` as every call's deadline (the protocol also sends it to
 * the handler, e.g. as connect-timeout-ms) and with every failure thrown as a StatehouseError
 * that names the handler. The handler services are unary, so streams pass through unchanged.
 */
export function guardTransport(transport: Transport, name: string, timeoutMs: number): Transport {
  return {
    async unary(method, signal, callTimeoutMs, header, input, contextValues) {
      const ms = callTimeoutMs ?? timeoutMs;
      try {
        return await transport.unary(method, signal, ms, header, input, contextValues);
      } catch (cause) {
        throw handlerError(cause, name, ms);
      }
    },
    stream: (method, signal, callTimeoutMs, header, input, contextValues) =>
      transport.stream(method, signal, callTimeoutMs ?? timeoutMs, header, input, contextValues),
  };
}

/**
 * Normalises a failed call: the handler's own errors keep code, message and details; our fetch
 * wrappers' errors keep theirs; the deadline names the handler; an answer the transport could
 * not read is internal (the handler's fault, never the caller's); anything else is the transport
 * failing.
 */
function handlerError(cause: unknown, name: string, timeoutMs: number): StatehouseError {
  if (cause instanceof StatehouseError) return cause;
  if (!(cause instanceof ConnectError)) return new StatehouseError("unavailable", `${name} failed: ${messageOf(cause)}`);
  const inner = cause.cause;
  if (inner instanceof StatehouseError) return inner;
  // A deadline that did not come over the wire is the call's own timer.
  if (cause.code === Code.DeadlineExceeded && !cause.isWireError) {
    return new StatehouseError("deadline_exceeded", `${name} did not answer within ${timeoutMs} ms`, [], { cause });
  }
  if (inner instanceof SyntaxError || UNREADABLE.test(cause.rawMessage)) {
    return new StatehouseError("internal", `${name} answered an invalid body: ${cause.rawMessage.replace(/^protocol error: /, "")}`, [], { cause });
  }
  return StatehouseError.from(cause);
}
