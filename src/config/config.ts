// Parses and validates the Worker's vars and secrets once into a typed Config.
import { z } from "zod";
import { HANDLER_PROTOCOLS, type HandlerProtocol } from "./protocols.js";
import { TYPE_NAME } from "./type-name.js";
import { partitionProblems } from "./partition-bindings.js";
import { type ReadSideSpec, parseReadSideSpec } from "./read-side-spec.js";

export { HANDLER_PROTOCOLS, type HandlerProtocol };

/** Where the write handler lives: the Service Binding WRITE_HANDLER, or a URL. */
export type WriteHandlerTarget = { kind: "binding"; binding: "WRITE_HANDLER" } | { kind: "url"; url: string };

/** Statehouse's validated configuration. */
export interface Config {
  writeHandler: WriteHandlerTarget;
  writeHandlerProtocol: HandlerProtocol;
  handlerTimeoutMs: number;
  snapshotFrequency: number;
  snapshotsToRetain: number;
  journalLogicalDeletion: boolean;
  validation: { enabled: boolean; stateTypes: ReadonlySet<string>; eventTypes: ReadonlySet<string> };
  propagatedHeaders: readonly string[];
  persistedHeaders: readonly string[];
  numShards: number;
  /** Partitions of the pipeline (STATEHOUSE_PARTITIONS): each owns the shards `shard % partitions` maps to, a queue and a store. */
  partitions: number;
  auth: { enabled: false } | { enabled: true; tokens: readonly string[] };
  /** Tokens for the admin API (read sides); empty with auth on means the admin API is closed. */
  adminTokens: readonly string[];
  /** Read sides declared in STATEHOUSE_READ_SIDES (kept in git rather than created by the API). */
  readSides: readonly ReadSideSpec[];
  /** Whether read-side URLs may be http:// to localhost (local dev only). */
  allowLocalHttp: boolean;
  /**
   * The global event log: whether rows keep the resulting state, how much is retained (0: no
   * bound), how many entries each partition keeps in its own store before older ones go to the
   * archive (LOG_ARCHIVE), and how many it holds at most before the log pauses (read sides go on).
   */
  log: { states: boolean; retention: { days: number; events: number }; hotEntries: number; hotMaxEntries: number };
  /** Whether live subscriptions (Subscribe, SubscribeAll, the SSE endpoints) are served. */
  subscriptionEnabled: boolean;
  /** Origins whose browser pages may call the API (STATEHOUSE_CORS_ORIGINS); empty: CORS off; `*`: any origin. */
  corsOrigins: readonly string[];
}

/** The vars and secrets Config reads (all strings, as Workers deliver them). */
export interface ConfigEnv {
  WRITE_HANDLER?: unknown;
  WRITE_HANDLER_URL?: string;
  WRITE_HANDLER_PROTOCOL?: string;
  COS_COMMAND_HANDLER_TIMEOUT?: string;
  COS_SNAPSHOT_FREQUENCY?: string;
  COS_NUM_SNAPSHOTS_TO_RETAIN?: string;
  COS_JOURNAL_LOGICAL_DELETION?: string;
  COS_WRITE_SIDE_PROTO_VALIDATION?: string;
  COS_WRITE_SIDE_STATE_PROTOS?: string;
  COS_WRITE_SIDE_EVENT_PROTOS?: string;
  COS_WRITE_SIDE_PROPAGATED_HEADERS?: string;
  COS_WRITE_PERSISTED_HEADERS?: string;
  COS_NUM_SHARDS?: string;
  COS_SUBSCRIPTION_ENABLED?: string;
  STATEHOUSE_PARTITIONS?: string;
  STATEHOUSE_AUTH?: string;
  STATEHOUSE_API_TOKENS?: string;
  STATEHOUSE_ADMIN_TOKENS?: string;
  STATEHOUSE_READ_SIDES?: string;
  STATEHOUSE_ALLOW_LOCAL_HTTP?: string;
  STATEHOUSE_LOG_STATES?: string;
  STATEHOUSE_LOG_RETENTION_DAYS?: string;
  STATEHOUSE_LOG_RETENTION_EVENTS?: string;
  STATEHOUSE_LOG_HOT_ENTRIES?: string;
  STATEHOUSE_LOG_HOT_MAX_ENTRIES?: string;
  STATEHOUSE_CORS_ORIGINS?: string;
}

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .transform((s) => (s === "" ? String(fallback) : s))
    .pipe(z.string().regex(/^\d+$/, `must be a whole number from ${min} to ${max}`))
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const bool = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .default(String(fallback))
    .transform((s) => (s === "" ? String(fallback) : s))
    .pipe(z.enum(["true", "false"], { error: 'must be "true" or "false"' }))
    .transform((s) => s === "true");

/** A comma-separated list var: its entries trimmed, empty ones dropped, each checked by `entry`. */
const commaList = (entry: z.ZodType<string, string>) =>
  z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== ""),
    )
    .pipe(z.array(entry));

const list = (pattern: RegExp, what: string) => commaList(z.string().regex(pattern, `each entry must be ${what}`));

/** A browser's Origin exactly as it sends it (scheme, host, port unless the default; nothing after), or `*`. */
const isOrigin = (s: string) => s === "*" || (/^https?:\/\//.test(s) && URL.canParse(s) && new URL(s).origin === s);

const origins = commaList(
  z.string().refine(isOrigin, {
    message: "each entry must be an origin as a browser sends it, e.g. https://app.example.com or http://localhost:5173 (no path, no trailing slash), or *",
  }),
);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const schema = z.object({
  WRITE_HANDLER_URL: z
    .string()
    .trim()
    .default("")
    .refine((s) => s === "" || /^https?:\/\/[^\s]+$/.test(s) && URL.canParse(s), {
      message: "must be an http:// or https:// URL",
      abort: true,
    })
    // A var is no place for a secret; the message never repeats the value, so none leaks into logs.
    .refine((s) => s === "" || !hasCredentials(s), { message: "must not contain credentials (user:password@)" }),
  WRITE_HANDLER_PROTOCOL: z
    .string()
    .trim()
    .default("connect")
    .transform((s) => (s === "" ? "connect" : s))
    .pipe(z.enum(HANDLER_PROTOCOLS, { error: `must be one of ${HANDLER_PROTOCOLS.join(", ")}` })),
  COS_COMMAND_HANDLER_TIMEOUT: int(1, 300_000, 5000),
  COS_SNAPSHOT_FREQUENCY: int(1, 1_000_000, 100),
  COS_NUM_SNAPSHOTS_TO_RETAIN: int(1, 100, 2),
  COS_JOURNAL_LOGICAL_DELETION: bool(false),
  COS_WRITE_SIDE_PROTO_VALIDATION: bool(false),
  COS_WRITE_SIDE_STATE_PROTOS: list(TYPE_NAME, "a fully qualified message name, e.g. bank.v1.Account"),
  COS_WRITE_SIDE_EVENT_PROTOS: list(TYPE_NAME, "a fully qualified message name, e.g. bank.v1.Opened"),
  COS_WRITE_SIDE_PROPAGATED_HEADERS: list(HEADER_NAME, "an HTTP header name"),
  COS_WRITE_PERSISTED_HEADERS: list(HEADER_NAME, "an HTTP header name"),
  COS_NUM_SHARDS: int(1, 1024, 16),
  COS_SUBSCRIPTION_ENABLED: bool(false),
  STATEHOUSE_PARTITIONS: int(1, 1024, 1),
  STATEHOUSE_AUTH: z
    .string()
    .trim()
    .toLowerCase()
    .default("on")
    .transform((s) => (s === "" ? "on" : s))
    .pipe(z.enum(["on", "off"], { error: 'must be "on" or "off"' })),
  STATEHOUSE_API_TOKENS: list(/^\S{16,}$/, "a token of at least 16 characters without spaces"),
  STATEHOUSE_ADMIN_TOKENS: list(/^\S{16,}$/, "a token of at least 16 characters without spaces"),
  STATEHOUSE_READ_SIDES: z.string().trim().default(""),
  STATEHOUSE_ALLOW_LOCAL_HTTP: bool(false),
  STATEHOUSE_LOG_STATES: bool(false),
  STATEHOUSE_LOG_RETENTION_DAYS: int(0, 36_500, 30),
  STATEHOUSE_LOG_RETENTION_EVENTS: int(0, 1_000_000_000_000, 0),
  STATEHOUSE_LOG_HOT_ENTRIES: int(1, 1_000_000_000, 1_000_000),
  STATEHOUSE_LOG_HOT_MAX_ENTRIES: int(1, 1_000_000_000, 5_000_000),
  STATEHOUSE_CORS_ORIGINS: origins,
});

/** The outcome of parsing: a Config, or one message per bad variable. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Parses vars and secrets; every bad value is reported by its variable's name. */
export function parseConfig(env: ConfigEnv): ConfigResult {
  const parsed = schema.safeParse(pickStrings(env));
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `${String(i.path[0] ?? "config")} ${i.message}`),
    };
  }
  const v = parsed.data;
  const errors: string[] = [];
  let writeHandler: WriteHandlerTarget;
  if (v.WRITE_HANDLER_URL !== "") writeHandler = { kind: "url", url: v.WRITE_HANDLER_URL };
  else if (env.WRITE_HANDLER !== undefined) writeHandler = { kind: "binding", binding: "WRITE_HANDLER" };
  else {
    errors.push("WRITE_HANDLER_URL is not set and no Service Binding named WRITE_HANDLER exists");
    writeHandler = { kind: "binding", binding: "WRITE_HANDLER" };
  }
  if (v.COS_WRITE_SIDE_PROTO_VALIDATION) {
    if (v.COS_WRITE_SIDE_STATE_PROTOS.length === 0)
      errors.push("COS_WRITE_SIDE_STATE_PROTOS must list at least one type when COS_WRITE_SIDE_PROTO_VALIDATION is true");
    if (v.COS_WRITE_SIDE_EVENT_PROTOS.length === 0)
      errors.push("COS_WRITE_SIDE_EVENT_PROTOS must list at least one type when COS_WRITE_SIDE_PROTO_VALIDATION is true");
  }
  if (v.STATEHOUSE_AUTH === "on" && v.STATEHOUSE_API_TOKENS.length === 0)
    errors.push('STATEHOUSE_API_TOKENS must hold at least one token when STATEHOUSE_AUTH is "on" (set it with `wrangler secret put`)');
  const readSides = parseDeclaredReadSides(v.STATEHOUSE_READ_SIDES, v.STATEHOUSE_ALLOW_LOCAL_HTTP, errors);
  errors.push(...partitionProblems(env, v.STATEHOUSE_PARTITIONS, v.COS_NUM_SHARDS));
  if (v.STATEHOUSE_LOG_HOT_MAX_ENTRIES < v.STATEHOUSE_LOG_HOT_ENTRIES) {
    errors.push(`STATEHOUSE_LOG_HOT_MAX_ENTRIES (${v.STATEHOUSE_LOG_HOT_MAX_ENTRIES}) must be at least STATEHOUSE_LOG_HOT_ENTRIES (${v.STATEHOUSE_LOG_HOT_ENTRIES})`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      writeHandler,
      writeHandlerProtocol: v.WRITE_HANDLER_PROTOCOL,
      handlerTimeoutMs: v.COS_COMMAND_HANDLER_TIMEOUT,
      snapshotFrequency: v.COS_SNAPSHOT_FREQUENCY,
      snapshotsToRetain: v.COS_NUM_SNAPSHOTS_TO_RETAIN,
      journalLogicalDeletion: v.COS_JOURNAL_LOGICAL_DELETION,
      validation: {
        enabled: v.COS_WRITE_SIDE_PROTO_VALIDATION,
        stateTypes: new Set(v.COS_WRITE_SIDE_STATE_PROTOS),
        eventTypes: new Set(v.COS_WRITE_SIDE_EVENT_PROTOS),
      },
      propagatedHeaders: v.COS_WRITE_SIDE_PROPAGATED_HEADERS.map((h) => h.toLowerCase()),
      persistedHeaders: v.COS_WRITE_PERSISTED_HEADERS.map((h) => h.toLowerCase()),
      numShards: v.COS_NUM_SHARDS,
      partitions: v.STATEHOUSE_PARTITIONS,
      auth:
        v.STATEHOUSE_AUTH === "off"
          ? { enabled: false }
          : { enabled: true, tokens: v.STATEHOUSE_API_TOKENS },
      adminTokens: v.STATEHOUSE_ADMIN_TOKENS,
      readSides,
      allowLocalHttp: v.STATEHOUSE_ALLOW_LOCAL_HTTP,
      log: {
        states: v.STATEHOUSE_LOG_STATES,
        retention: { days: v.STATEHOUSE_LOG_RETENTION_DAYS, events: v.STATEHOUSE_LOG_RETENTION_EVENTS },
        hotEntries: v.STATEHOUSE_LOG_HOT_ENTRIES,
        hotMaxEntries: v.STATEHOUSE_LOG_HOT_MAX_ENTRIES,
      },
      subscriptionEnabled: v.COS_SUBSCRIPTION_ENABLED,
      corsOrigins: v.STATEHOUSE_CORS_ORIGINS,
    },
  };
}

/** STATEHOUSE_READ_SIDES: a JSON array of read side definitions, each validated like the admin API's. */
function parseDeclaredReadSides(text: string, allowLocalHttp: boolean, errors: string[]): ReadSideSpec[] {
  if (text === "") return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    errors.push("STATEHOUSE_READ_SIDES must be a JSON array of read side definitions");
    return [];
  }
  if (!Array.isArray(list)) {
    errors.push("STATEHOUSE_READ_SIDES must be a JSON array of read side definitions");
    return [];
  }
  const specs: ReadSideSpec[] = [];
  list.forEach((item, i) => {
    const parsed = parseReadSideSpec(item, { allowLocalHttp });
    if (parsed.ok) specs.push(parsed.spec);
    else errors.push(...parsed.errors.map((e) => `STATEHOUSE_READ_SIDES[${i}] ${e}`));
  });
  const ids = specs.map((s) => s.id);
  for (const id of new Set(ids)) {
    if (ids.indexOf(id) !== ids.lastIndexOf(id)) errors.push(`STATEHOUSE_READ_SIDES declares read side ${id} twice`);
  }
  return specs;
}

/** Keeps only string values, so bindings never reach the schema. */
function pickStrings(env: ConfigEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === "string") out[k] = v;
  return out;
}

/**
 * Describes the write handler in use, for the start log and the unauthenticated /healthz. A URL
 * shows only its scheme and host: its path and query may carry secrets (a tenant, a key).
 */
export function describeWriteHandler(config: Config): string {
  const target =
    config.writeHandler.kind === "url"
      ? `WRITE_HANDLER_URL ${new URL(config.writeHandler.url).origin}`
      : "Service Binding WRITE_HANDLER";
  return `${target} (protocol ${config.writeHandlerProtocol})`;
}

function hasCredentials(url: string): boolean {
  const parsed = URL.parse(url);
  return parsed !== null && (parsed.username !== "" || parsed.password !== "");
}
