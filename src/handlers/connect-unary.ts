// The Connect protocol's unary calls written out: the request as one body of bytes, the answer read
// whole by the handler fetch, no interceptor chain, linked abort controllers or async iterables.
// Headers, content types, error bodies, trailers and (de)serialization are connect-es's own
// helpers, so what goes over the wire is what its protocol transport sends.
import { type DescMessage, type DescMethod, create, isMessage } from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { type MethodSerializationLookup, createMethodSerializationLookup, createMethodUrl } from "@connectrpc/connect/protocol";
import { createTransport, errorFromJsonBytes, requestHeader, trailerDemux, validateResponse } from "@connectrpc/connect/protocol-connect";
import { type ProtocolOptions, protocolTransportOptions } from "./protocol-options.js";

/**
 * A Connect transport whose unary calls go straight to the handler fetch (the handler services
 * are unary; streams, which none of them has, keep connect-es's transport). A call's deadline
 * aborts the fetch, body read included, and fails with DEADLINE_EXCEEDED; the caller's signal
 * with CANCELED, as connect-es's run-call does.
 */
export function createConnectUnaryTransport(options: ProtocolOptions, useBinaryFormat: boolean): Transport {
  const transportOptions = protocolTransportOptions(options, useBinaryFormat);
  const streaming = createTransport(transportOptions);
  type Lookup = MethodSerializationLookup<DescMessage, DescMessage>;
  const lookups = new Map<DescMethod, Lookup>();
  const serializationOf = (method: DescMethod): Lookup => {
    let lookup = lookups.get(method);
    if (lookup === undefined) {
      lookup = createMethodSerializationLookup(method, undefined, transportOptions.jsonOptions, transportOptions);
      lookups.set(method, lookup);
    }
    return lookup;
  };
  return {
    async unary(method, signal, timeoutMs, header, input) {
      const serialization = serializationOf(method);
      const ms = timeoutMs === undefined || timeoutMs <= 0 ? undefined : timeoutMs;
      const deadline = new AbortController();
      const timer = ms === undefined ? undefined : setTimeout(() => deadline.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded)), ms);
      const callSignal = signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
      try {
        // The body goes out uncompressed: no content-encoding, even one a propagated header names
        // (connect-es's transport removed it when it did not compress).
        const requestHeaders = requestHeader(method.methodKind, useBinaryFormat, ms, header, true);
        requestHeaders.delete("content-encoding");
        const answer = await options.fetch(createMethodUrl(options.baseUrl, method), {
          method: "POST",
          headers: requestHeaders,
          body: serialization.getI(useBinaryFormat).serialize(isMessage(input, method.input) ? input : create(method.input, input)),
          signal: callSignal,
        });
        const { isUnaryError, unaryError } = validateResponse(method.methodKind, useBinaryFormat, answer.status, answer.headers);
        const [responseHeader, trailer] = trailerDemux(answer.headers);
        if (isUnaryError) {
          const metadata = new Headers(responseHeader);
          trailer.forEach((value, key) => metadata.append(key, value));
          throw errorFromJsonBytes(answer.body, metadata, unaryError as ConnectError);
        }
        return { stream: false, service: method.parent, method, header: responseHeader, message: serialization.getO(useBinaryFormat).parse(answer.body), trailer };
      } catch (cause) {
        // Whichever aborted first names the failure, as in connect-es's run-call: the deadline's
        // reason is DEADLINE_EXCEEDED already, the caller's becomes CANCELED.
        if (callSignal.aborted) throw ConnectError.from(callSignal.reason, Code.Canceled);
        throw cause;
      } finally {
        if (timer !== undefined) clearTimeout(timer);
      }
    },
    stream: streaming.stream,
  } as Transport;
}
