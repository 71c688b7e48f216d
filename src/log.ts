// Structured logs: one JSON object per line, so Workers Logs can filter on level, code and ids.
import { messageOf } from "./errors.js";
import { activeTrace } from "./trace/index.js";

/** Fields a log line may carry; the named ones are queried across the codebase, so keep their names. */
export interface LogFields {
  entity_id?: string;
  revision?: number;
  read_side_id?: string;
  /** The W3C trace id and span id of the work that logged (set from the active span unless given). */
  trace_id?: string;
  span_id?: string;
  /** A Statehouse error code (errors.ts). */
  code?: string;
  /** What was thrown: rendered as {name, message, stack, cause}, never sent to a client. */
  error?: unknown;
  [field: string]: unknown;
}

/** Severity of a log line; Workers Logs also takes it from the console method used. */
export type LogLevel = "info" | "warn" | "error";

/** The one logger: `log.info(msg, fields)`, `log.warn(…)`, `log.error(…)`. */
export const log = {
  /** Something worth knowing that needs no action. */
  info: (msg: string, fields?: LogFields): void => console.log(formatLine("info", msg, fields)),
  /** A failure that Statehouse handles itself (a retry, a parked event). */
  warn: (msg: string, fields?: LogFields): void => console.warn(formatLine("warn", msg, fields)),
  /** A failure an operator should look at. */
  error: (msg: string, fields?: LogFields): void => console.error(formatLine("error", msg, fields)),
};

/** The JSON line for one log call (exported for tests of the format); inside a span it names the span's trace. */
export function formatLine(level: LogLevel, msg: string, fields: LogFields = {}): string {
  const { error, ...rest } = fields;
  const trace = activeTrace();
  const ids = trace === undefined ? {} : { trace_id: trace.traceId, span_id: trace.spanId };
  const line: Record<string, unknown> = { level, msg, ...ids, ...rest };
  if (error !== undefined) line.error = describeError(error);
  return JSON.stringify(line);
}

/** Depth of `cause` chains rendered; deeper causes are cut off. */
const MAX_CAUSE_DEPTH = 4;

function describeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return typeof error === "object" && error !== null ? safeJson(error) : String(error);
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  if ("code" in error && (typeof error.code === "string" || typeof error.code === "number")) out.code = error.code;
  if (error.stack !== undefined) out.stack = error.stack;
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = describeError(error.cause, depth + 1);
  return out;
}

function safeJson(value: object): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch (cause) {
    // Cyclic or otherwise unserialisable: its string form is the best a log line can hold.
    return `${String(value)} (not JSON: ${messageOf(cause)})`;
  }
}
