// One error type for Statehouse, its closed set of codes, and their HTTP and Connect mappings.
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

/** The closed set of error codes, named as Connect names them. */
export type ErrorCode =
  | "canceled"
  | "unknown"
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "aborted"
  | "unavailable"
  | "deadline_exceeded"
  | "resource_exhausted"
  | "permission_denied"
  | "unauthenticated"
  | "out_of_range"
  | "unimplemented"
  | "internal"
  | "data_loss";

/**
 * HTTP status and Connect code for each error code. The statuses are not Connect's own table:
 * they are the honest statuses the JSON APIs and the CoS gateway answer with (DESIGN.md; CoS
 * answers every failure with 500). Where a code names a more precise HTTP status, it gets that one:
 * 412 for failed_precondition (the handler's rule or the state type said no; Connect says 400),
 * 413 for resource_exhausted (every such failure here is a size limit; Connect says 429), 409 for
 * aborted and already_exists (a conflict with the entity's current revision). Connect and
 * gRPC-Web clients see the Connect code, never this status.
 */
export const ERROR_CODES: Record<ErrorCode, { http: number; connect: Code }> = {
  canceled: { http: 499, connect: Code.Canceled },
  unknown: { http: 500, connect: Code.Unknown },
  invalid_argument: { http: 400, connect: Code.InvalidArgument },
  not_found: { http: 404, connect: Code.NotFound },
  already_exists: { http: 409, connect: Code.AlreadyExists },
  failed_precondition: { http: 412, connect: Code.FailedPrecondition },
  aborted: { http: 409, connect: Code.Aborted },
  unavailable: { http: 503, connect: Code.Unavailable },
  deadline_exceeded: { http: 504, connect: Code.DeadlineExceeded },
  resource_exhausted: { http: 413, connect: Code.ResourceExhausted },
  permission_denied: { http: 403, connect: Code.PermissionDenied },
  unauthenticated: { http: 401, connect: Code.Unauthenticated },
  out_of_range: { http: 400, connect: Code.OutOfRange },
  unimplemented: { http: 501, connect: Code.Unimplemented },
  internal: { http: 500, connect: Code.Internal },
  data_loss: { http: 500, connect: Code.DataLoss },
};

/** An error detail carried through unchanged: a protobuf type name and its serialized bytes. */
export interface ErrorDetail {
  type: string;
  value: Uint8Array;
}

/** A plain, structured-clone-safe error, as it crosses Durable Object RPC. */
export interface ErrorData {
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
}

/** The one error class Statehouse throws for expected failures. */
export class StatehouseError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = [], options?: ErrorOptions) {
    super(message, options);
    this.name = "StatehouseError";
    this.code = code;
    this.details = details;
  }

  /** The HTTP status for this error. */
  get status(): number {
    return ERROR_CODES[this.code].http;
  }

  /** A structured-clone-safe copy for Durable Object RPC results. */
  toData(): ErrorData {
    return { code: this.code, message: this.message, details: this.details };
  }

  /** Rebuilds an error from its RPC form. */
  static fromData(data: ErrorData): StatehouseError {
    return new StatehouseError(data.code, data.message, data.details ?? []);
  }

  /**
   * This error as a Durable Object method throws it: the runtime keeps only a thrown Error's
   * message across RPC, so the code travels in it (details do not); `from` reads it back.
   */
  toRemote(): Error {
    return new Error(`${REMOTE_PREFIX}${this.code}:${this.message}`);
  }

  /** A Connect error with the same code, message and details. */
  toConnect(): ConnectError {
    const err = new ConnectError(this.message, ERROR_CODES[this.code].connect);
    for (const d of this.details) err.details.push({ type: d.type, value: d.value });
    return err;
  }

  /**
   * Normalises anything thrown into a StatehouseError, with no side effects: Connect errors keep
   * their code, message and details; anything else becomes internal with a fixed message. Either
   * way the original is kept as `cause`, for the edge that catches it to log (see
   * isUnexpected); `cause` never reaches a client.
   */
  static from(cause: unknown): StatehouseError {
    if (cause instanceof StatehouseError) return cause;
    const remote = fromRemote(cause);
    if (remote !== undefined) return remote;
    if (cause instanceof ConnectError) {
      const details = cause.details.map((d) =>
        "desc" in d ? { type: d.desc.typeName, value: toBinary(d.desc, create(d.desc, d.value)) } : { type: d.type, value: d.value },
      );
      return new StatehouseError(codeFromConnect(cause.code), cause.rawMessage, details, { cause });
    }
    return new StatehouseError("internal", "internal error", [], { cause });
  }
}

/**
 * Whether a thrown value is a bug rather than an expected failure: neither a StatehouseError nor
 * a ConnectError. Edges log such values with their stack before answering "internal error".
 */
export function isUnexpected(cause: unknown): boolean {
  return !(cause instanceof StatehouseError) && !(cause instanceof ConnectError) && fromRemote(cause) === undefined;
}

/** Marks an Error's message as a StatehouseError that crossed RPC (see toRemote). */
const REMOTE_PREFIX = "statehouse-error:";

/** The StatehouseError a Durable Object threw (toRemote), or undefined for anything else. */
function fromRemote(cause: unknown): StatehouseError | undefined {
  if (!(cause instanceof Error) || !cause.message.startsWith(REMOTE_PREFIX)) return undefined;
  const rest = cause.message.slice(REMOTE_PREFIX.length);
  const colon = rest.indexOf(":");
  const code = rest.slice(0, colon);
  if (colon < 0 || !Object.hasOwn(ERROR_CODES, code)) return undefined;
  return new StatehouseError(code as ErrorCode, rest.slice(colon + 1), [], { cause });
}

/** Runs a Durable Object method's body so that the StatehouseError it throws reaches the caller with its code. */
export async function rethrowRemote<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    throw cause instanceof StatehouseError ? cause.toRemote() : cause;
  }
}

/** The message of anything thrown: an Error's message, or the value as a string. */
export function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** Maps a Connect code to its name (the set is Connect's own, so every code has one). */
export function codeFromConnect(code: Code): ErrorCode {
  for (const [name, entry] of Object.entries(ERROR_CODES)) {
    if (entry.connect === code) return name as ErrorCode;
  }
  return "unknown";
}

/**
 * Maps an HTTP status from a handler that sent no error body back to a code: the inverse of the
 * table above where a status names one code (400, 409, 412, 413; 408 and 504 deadline_exceeded),
 * Connect's reading otherwise (404 unimplemented, 429/502/503 unavailable), and internal for the
 * rest, since a bare 5xx is the handler's failure and never the caller's.
 */
export function codeFromHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return "invalid_argument";
    case 401:
      return "unauthenticated";
    case 403:
      return "permission_denied";
    case 404:
      return "unimplemented";
    case 408:
    case 504:
      return "deadline_exceeded";
    case 409:
      return "aborted";
    case 412:
      return "failed_precondition";
    case 413:
      return "resource_exhausted";
    case 429:
    case 502:
    case 503:
      return "unavailable";
    default:
      return "internal";
  }
}
