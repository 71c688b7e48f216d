// The stack's log lines: Statehouse's structured errors fail the run, unless a workload causes them on purpose.

/** One log line, with the workload that was running when it was logged. */
export interface LogLine {
  phase: string;
  level: string;
  msg: string;
  /** The line as logged, cut at 2,000 characters. */
  line: string;
}

/** An error a workload causes on purpose: lines logged during one of `phases` matching `line` do not fail the run. */
export interface ExpectedError {
  phases: readonly string[];
  line: RegExp;
  why: string;
}

/**
 * Errors the workloads cause deliberately, each with its reason: none now. (The flaky read side's 1%
 * of failures are warnings, not errors: read-side delivery retries them. S1 and S2 closing their SSE
 * readers used to log "unexpected error in a stream"; a gone client is no longer an error.)
 */
export const EXPECTED_ERRORS: readonly ExpectedError[] = [];

/** What a run logged, for the report. */
export interface LogSummary {
  /** Statehouse's `"level":"error"` lines nobody asked for: any of them fails the run. */
  errors: LogLine[];
  /** Error lines a workload caused on purpose (EXPECTED_ERRORS), with the reason (every one is kept: the report counts them). */
  expectedErrors: (LogLine & { why: string })[];
  /** Lines workerd logged at level error that are not Statehouse's JSON (uncaught exceptions, crashes): they fail the run too. */
  runtimeErrors: LogLine[];
  /** Warnings, by message with every word holding a digit masked (entity ids, revisions, attempt numbers). */
  warnings: Record<string, number>;
}

const MAX_LINES = 200;
const PRINTED_PER_WARNING = 3;

/** Collects the stack's log lines (Miniflare's handleStructuredLogs) and prints errors and the first warnings of each kind. */
export class WorkerLogs {
  /** The workload running now, set by the runner. */
  phase = "start";
  private readonly summary: LogSummary = { errors: [], expectedErrors: [], runtimeErrors: [], warnings: {} };

  constructor(private readonly verbose = false) {}

  /** Takes one line from workerd's stdout or stderr. */
  readonly handle = (log: { level: string; message: string }): void => {
    const json = parseJsonLine(log.message);
    const level = json?.level ?? log.level;
    const line: LogLine = { phase: this.phase, level, msg: json?.msg ?? log.message.slice(0, 300), line: log.message.slice(0, 2000) };
    if (json !== undefined && level === "error") {
      const expected = EXPECTED_ERRORS.find((e) => e.phases.includes(this.phase) && e.line.test(log.message));
      if (expected === undefined) {
        push(this.summary.errors, line);
        console.error(`  [${this.phase}] ERROR: ${line.line.slice(0, 600)}`);
      } else {
        const n = this.summary.expectedErrors.push({ ...line, why: expected.why });
        if (n <= PRINTED_PER_WARNING) console.warn(`  [${this.phase}] expected error: ${line.line.slice(0, 300)}${n === PRINTED_PER_WARNING ? " (further ones counted, not printed)" : ""}`);
      }
    } else if (json === undefined && log.level === "error") {
      push(this.summary.runtimeErrors, line);
      console.error(`  [${this.phase}] workerd error: ${line.line.slice(0, 600)}`);
    } else if (level === "warn") {
      const key = line.msg.replace(/\S*\d\S*/g, "…");
      const n = (this.summary.warnings[key] = (this.summary.warnings[key] ?? 0) + 1);
      if (n <= PRINTED_PER_WARNING) console.warn(`  [${this.phase}] warn: ${line.line.slice(0, 400)}${n === PRINTED_PER_WARNING ? " (further ones counted, not printed)" : ""}`);
    } else if (this.verbose) {
      console.log(`  [${this.phase}] ${line.line.slice(0, 400)}`);
    }
  };

  /** What was logged so far. */
  result(): LogSummary {
    return this.summary;
  }

  /** Whether the run must fail: an unexpected Statehouse error or a runtime error was logged. */
  failed(): boolean {
    return this.summary.errors.length > 0 || this.summary.runtimeErrors.length > 0;
  }
}

function push<T>(list: T[], item: T): void {
  if (list.length < MAX_LINES) list.push(item);
}

/** Statehouse's log lines are one JSON object each (src/log.ts); anything else is not. */
function parseJsonLine(message: string): { level: string; msg: string } | undefined {
  if (!message.startsWith("{")) return undefined;
  try {
    const v = JSON.parse(message) as { level?: unknown; msg?: unknown };
    return typeof v.level === "string" && typeof v.msg === "string" ? { level: v.level, msg: v.msg } : undefined;
  } catch {
    // Not one JSON object (a line that merely starts with a brace): not a Statehouse line.
    return undefined;
  }
}
