// ChiefOfStateService/ProcessCommand in Connect binary with the command and the reply kept as bytes end to end.
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import type { JsonWriteOptions } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import {
  codeToHttpStatus,
  contentTypeUnaryJson,
  contentTypeUnaryProto,
  errorToJsonBytes,
  headerContentType,
  headerTimeout,
  headerUnaryContentLength,
  headerUnaryEncoding,
  parseContentType,
} from "@connectrpc/connect/protocol-connect";
import { ProcessCommandRequestSchema, ProcessCommandResponseSchema } from "../gen/chief_of_state/v1/service_pb.js";
import { unreadableRequest } from "./binary-request-check.js";
import { buildCommandInput, readCommand } from "../input/index.js";
import type { FastPath } from "./connect-adapter.js";
import { toConnectError } from "./error-interceptor.js";
import { requestValuesOf } from "./request-values.js";

/** Options shared with the Connect router, so both paths answer alike. */
export interface ProcessCommandBinaryOptions {
  readMaxBytes?: number;
  jsonOptions?: Partial<JsonWriteOptions>;
}

const requestFields = ProcessCommandRequestSchema.field;
const responseFields = ProcessCommandResponseSchema.field;

/**
 * ProcessCommand for Connect unary binary requests without compression or a timeout header — what
 * CoS clients send. It does what the router and chiefOfStateService do, minus four protobuf passes
 * and the router's stream plumbing: the command's Any goes to the entity as the bytes it arrived
 * in, and the entity's serialized state and meta become the response as they are (a message's
 * fields are concatenable, so ProcessCommandResponse is field 1 + field 2). Anything else —
 * Connect JSON, gRPC-Web, compression, a deadline header, a request that is not a plain
 * ProcessCommandRequest — goes through the router. Measured gain: docs/performance.md.
 */
export function createProcessCommandBinary(options: ProcessCommandBinaryOptions): FastPath {
  const readMaxBytes = options.readMaxBytes ?? 0xffffffff;
  return (req, values) => {
    if (req.method !== "POST") return undefined;
    const type = parseContentType(req.headers.get(headerContentType));
    if (type === undefined || !type.binary || type.stream) return undefined;
    const encoding = req.headers.get(headerUnaryEncoding);
    if ((encoding !== null && encoding !== "identity") || req.headers.has(headerTimeout)) return undefined;
    return serve(req, values, readMaxBytes).catch((cause: unknown) => errorResponse(cause, options.jsonOptions));
  };
}

/** Reads the request as the router would (its errors as they are), then runs the method as the service would. */
async function serve(req: Request, values: ContextValues, readMaxBytes: number): Promise<Response> {
  const body = new Uint8Array(await req.arrayBuffer());
  if (body.byteLength > readMaxBytes) {
    // The router's own words for the same limit (readAllBytes in @connectrpc/connect/protocol).
    throw new ConnectError(`message size ${body.byteLength} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted);
  }
  const request = readRequest(body);
  try {
    return await processCommand(req.headers, values, request);
  } catch (cause) {
    throw toConnectError(cause);
  }
}

/** chiefOfStateService's processCommand on bytes. */
async function processCommand(headers: Headers, values: ContextValues, request: CommandRequestBytes): Promise<Response> {
  const { entities, config } = requestValuesOf(values);
  // readCommand checks presence and type URL exactly as the router's path does; the bytes go on as they came.
  readCommand({ form: "message", any: request.any });
  const input = buildCommandInput(
    { entityId: request.entityId, command: request.command as Uint8Array, headers, options: { in: "headers" } },
    config,
  );
  const reply = await entities.processCommandBytes(input);
  const bytes = new BinaryWriter()
    .tag(responseFields.state.number, WireType.LengthDelimited)
    .bytes(reply.state)
    .tag(responseFields.meta.number, WireType.LengthDelimited)
    .bytes(reply.meta)
    .finish();
  return new Response(bytes, {
    headers: { [headerContentType]: contentTypeUnaryProto, [headerUnaryContentLength]: String(bytes.byteLength) },
  });
}

/** A ProcessCommandRequest with its command both as received and decoded. */
interface CommandRequestBytes {
  entityId: string;
  command: Uint8Array | undefined;
  any: Any | undefined;
}

/**
 * Reads entity_id and the command's serialized Any. Repeated occurrences of the command merge, as
 * protobuf-es merges them (a merged message is the concatenation of its parts); unknown fields are
 * skipped, as the router drops them. A known field with the wrong wire type is read by fromBinary,
 * so the error is the router's own.
 */
function readRequest(body: Uint8Array): CommandRequestBytes {
  try {
    const reader = new BinaryReader(body);
    let entityId = "";
    const parts: Uint8Array[] = [];
    while (reader.pos < reader.len) {
      const [no, wire] = reader.tag();
      if (no === requestFields.entityId.number && wire === WireType.LengthDelimited) {
        entityId = reader.string(requestFields.entityId.utf8Validation);
      } else if (no === requestFields.command.number && wire === WireType.LengthDelimited) {
        parts.push(reader.bytes());
      } else if (no === requestFields.entityId.number || no === requestFields.command.number) {
        fromBinary(ProcessCommandRequestSchema, body);
        throw new Error(`cannot decode field ${no} from wire type ${wire}`);
      } else {
        reader.skip(wire, no);
      }
    }
    const command = parts.length <= 1 ? parts[0] : concat(parts);
    // The Any is decoded only to be checked; its value stays a view of the request bytes.
    return { entityId, command, any: command === undefined ? undefined : fromBinary(AnySchema, command) };
  } catch (e) {
    // As the adapter answers an unreadable body for every other method (binary-request-check.ts).
    throw toConnectError(unreadableRequest(ProcessCommandRequestSchema.typeName, e instanceof Error ? e.message : String(e)));
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The Connect error answer the router gives (createUnaryHandler in @connectrpc/connect/protocol-connect). */
function errorResponse(cause: unknown, jsonOptions: Partial<JsonWriteOptions> | undefined): Response {
  const error = cause instanceof ConnectError ? cause : new ConnectError("internal error", Code.Internal, undefined, undefined, cause);
  const body = errorToJsonBytes(error, jsonOptions);
  return new Response(body, {
    status: codeToHttpStatus(error.code),
    headers: { [headerContentType]: contentTypeUnaryJson, [headerUnaryContentLength]: String(body.byteLength) },
  });
}
