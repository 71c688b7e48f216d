// Refuses a binary request body that does not parse as the method's request: invalid_argument in the caller's protocol, for every service.
import { type DescMessage, fromBinary } from "@bufbuild/protobuf";
import type { ConnectError } from "@connectrpc/connect";
import { compressedFlag, encodeEnvelope } from "@connectrpc/connect/protocol";
import {
  codeToHttpStatus,
  contentTypeStreamProto,
  contentTypeUnaryJson,
  createEndStreamSerialization,
  endStreamFlag,
  errorToJsonBytes,
  parseContentType as parseConnectContentType,
} from "@connectrpc/connect/protocol-connect";
import {
  contentTypeProto as contentTypeGrpcWebProto,
  parseContentType as parseGrpcWebContentType,
  setTrailerStatus,
  trailerFlag,
  trailerSerialize,
} from "@connectrpc/connect/protocol-grpc-web";
import { StatehouseError } from "../errors.js";

/** The binary request forms whose bodies are checked: Connect unary, Connect streaming, gRPC-Web. */
export type BinaryForm = "connect-unary" | "connect-stream" | "grpc-web";

const ENVELOPE_HEADER_BYTES = 5;

/**
 * The binary form of a request, or undefined when its body is not checked here: JSON (connect-es
 * already answers invalid_argument for it), gRPC-Web text, a GET, or a compressed unary body.
 */
export function binaryFormOf(req: Request): BinaryForm | undefined {
  if (req.method !== "POST") return undefined;
  const type = req.headers.get("content-type");
  const connect = parseConnectContentType(type);
  if (connect !== undefined) {
    if (!connect.binary) return undefined;
    if (connect.stream) return "connect-stream";
    const encoding = req.headers.get("content-encoding");
    return encoding === null || encoding === "identity" ? "connect-unary" : undefined;
  }
  const grpcWeb = parseGrpcWebContentType(type);
  return grpcWeb !== undefined && grpcWeb.binary && !grpcWeb.text ? "grpc-web" : undefined;
}

/**
 * The error for a body whose messages do not all parse as `input` (an enveloped body's
 * uncompressed messages; a compressed one is left to connect-es), or undefined when they do.
 * connect-es reports such a body as internal ("parse binary: …"); it is the caller's mistake.
 */
export function malformedRequest(input: DescMessage, form: BinaryForm, body: Uint8Array): StatehouseError | undefined {
  if (form === "connect-unary") return parseProblem(input, body);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let at = 0; at + ENVELOPE_HEADER_BYTES <= body.byteLength; ) {
    const flags = view.getUint8(at);
    const end = at + ENVELOPE_HEADER_BYTES + view.getUint32(at + 1);
    // An incomplete envelope is connect-es's to report, in its own words.
    if (end > body.byteLength) return undefined;
    if ((flags & compressedFlag) === 0) {
      const problem = parseProblem(input, body.subarray(at + ENVELOPE_HEADER_BYTES, end));
      if (problem !== undefined) return problem;
    }
    at = end;
  }
  return undefined;
}

/** The answer connect-es would give for `error` in `form`: Connect's JSON error, end-of-stream message or gRPC-Web trailers. */
export function errorAnswer(form: BinaryForm, error: ConnectError): Response {
  switch (form) {
    case "connect-unary":
      return new Response(errorToJsonBytes(error, {}), { status: codeToHttpStatus(error.code), headers: { "content-type": contentTypeUnaryJson } });
    case "connect-stream": {
      const end = createEndStreamSerialization({}).serialize({ metadata: new Headers(), error });
      return new Response(encodeEnvelope(endStreamFlag, end), { status: 200, headers: { "content-type": contentTypeStreamProto } });
    }
    case "grpc-web": {
      const trailer = new Headers();
      setTrailerStatus(trailer, error);
      return new Response(encodeEnvelope(trailerFlag, trailerSerialize(trailer)), { status: 200, headers: { "content-type": contentTypeGrpcWebProto } });
    }
  }
}

/** invalid_argument naming the message type and what the binary reader said. */
export function unreadableRequest(typeName: string, detail: string): StatehouseError {
  return new StatehouseError("invalid_argument", `the request body is not a valid ${typeName} in binary: ${detail}`);
}

function parseProblem(input: DescMessage, bytes: Uint8Array): StatehouseError | undefined {
  try {
    fromBinary(input, bytes);
    return undefined;
  } catch (cause) {
    return unreadableRequest(input.typeName, cause instanceof Error ? cause.message : String(cause));
  }
}
