// What a read side definition is and how one is validated (shared by config and the admin API).
import { z } from "zod";
import { StatehouseError } from "../errors.js";
import { HANDLER_PROTOCOLS, type HandlerProtocol } from "./protocols.js";
import { TYPE_NAME } from "./type-name.js";

/** CoS's read side id pattern: letters, digits, "_" and "-", as in COS_READ_SIDE_CONFIG__*__<ID>. */
export const READ_SIDE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** What happens when a read-side handler fails (CoS's names). */
export const FAILURE_POLICIES = ["STOP", "SKIP", "REPLAY_SKIP", "REPLAY_STOP"] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];
/** Longest handler timeout: a consumer starts no call later than BATCH_BUDGET_MS into its batch. */
export const MAX_READ_SIDE_TIMEOUT_MS = 60_000;

/** Where a read side's events go: an https:// URL, or a Service Binding declared in wrangler.toml. */
export type ReadSideTarget = { kind: "url"; url: string } | { kind: "binding"; binding: string };

/** A validated read side definition. `secret` is write-only: never returned, never logged. */
export interface ReadSideSpec {
  id: string;
  target: ReadSideTarget;
  protocol: HandlerProtocol;
  timeoutMs: number;
  policy: FailurePolicy;
  retries: number;
  backoffMs: number;
  enabled: boolean;
  /** False creates the read side paused. */
  autoStart: boolean;
  /** Fully qualified event type names to deliver; empty delivers every event. */
  eventTypes: string[];
  secret: string | undefined;
}

/** What an operator may see of a definition: no secret, and no autoStart (it matters only on create). */
export type PublicReadSideSpec = Omit<ReadSideSpec, "secret" | "autoStart">;

/** The problem reported when a definition (or a patch) names neither or both targets. */
export const ONE_TARGET = "read side: give exactly one of url and binding";

const BINDING_NAME = /^[A-Z][A-Z0-9_]*$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The defaults of a definition's optional fields, in its JSON form. */
export const READ_SIDE_DEFAULTS = {
  protocol: "connect",
  timeout_ms: 5000,
  policy: "REPLAY_STOP",
  retries: 5,
  backoff_ms: 1000,
  enabled: true,
  auto_start: true,
  event_types: [],
} as const satisfies Record<string, unknown>;

/** The rule for each field of the JSON form, without defaults (a definition adds them, a patch does not). */
export const readSideFields = {
  id: z.string().regex(READ_SIDE_ID_PATTERN, "must be 1 to 63 letters, digits, _ or -, starting with a letter or digit"),
  url: z.string(),
  binding: z.string().regex(BINDING_NAME, "must be a binding name in SCREAMING_SNAKE_CASE"),
  protocol: z.enum(HANDLER_PROTOCOLS, { error: `must be one of ${HANDLER_PROTOCOLS.join(", ")}` }),
  timeout_ms: z.number().int().min(1).max(MAX_READ_SIDE_TIMEOUT_MS),
  policy: z.enum(FAILURE_POLICIES, { error: `must be one of ${FAILURE_POLICIES.join(", ")}` }),
  retries: z.number().int().min(0).max(100),
  backoff_ms: z.number().int().min(0).max(3_600_000),
  enabled: z.boolean(),
  auto_start: z.boolean(),
  event_types: z.array(z.string().regex(TYPE_NAME, "each entry must be a fully qualified message name")),
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{22,172}={0,2}$/, "must be a Standard Webhooks secret: whsec_ followed by base64 of 16 to 128 bytes"),
};

/** The JSON form of a definition, as the admin API, the CLI and STATEHOUSE_READ_SIDES write it. */
export const readSideInputSchema = z
  .object({
    id: readSideFields.id,
    url: readSideFields.url.optional(),
    binding: readSideFields.binding.optional(),
    protocol: readSideFields.protocol.default(READ_SIDE_DEFAULTS.protocol),
    timeout_ms: readSideFields.timeout_ms.default(READ_SIDE_DEFAULTS.timeout_ms),
    policy: readSideFields.policy.default(READ_SIDE_DEFAULTS.policy),
    retries: readSideFields.retries.default(READ_SIDE_DEFAULTS.retries),
    backoff_ms: readSideFields.backoff_ms.default(READ_SIDE_DEFAULTS.backoff_ms),
    enabled: readSideFields.enabled.default(READ_SIDE_DEFAULTS.enabled),
    auto_start: readSideFields.auto_start.default(READ_SIDE_DEFAULTS.auto_start),
    event_types: readSideFields.event_types.default([]),
    secret: readSideFields.secret.optional(),
  })
  .strict();

/** The JSON form of a definition. */
export type ReadSideInput = z.input<typeof readSideInputSchema>;

/** A definition's validation: the spec, or every problem, each naming its field. */
export type ReadSideSpecResult = { ok: true; spec: ReadSideSpec } | { ok: false; errors: string[] };

/** Validates a definition in its JSON form; every problem names its field. */
export function parseReadSideSpec(input: unknown, opts: { allowLocalHttp: boolean }): ReadSideSpecResult {
  const parsed = readSideInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: issueList(parsed.error) };
  const v = parsed.data;
  const errors = targetProblems(v, opts);
  if (v.url === undefined && v.binding === undefined) errors.unshift(ONE_TARGET);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    spec: {
      id: v.id,
      target: targetOf(v) as ReadSideTarget,
      protocol: v.protocol,
      timeoutMs: v.timeout_ms,
      policy: v.policy,
      retries: v.retries,
      backoffMs: v.backoff_ms,
      enabled: v.enabled,
      autoStart: v.auto_start,
      eventTypes: v.event_types,
      secret: v.secret,
    },
  };
}

/** Validates a spec built elsewhere (a patched one) by the same rules as its JSON form. */
export function checkReadSideSpec(spec: ReadSideSpec, opts: { allowLocalHttp: boolean }): ReadSideSpecResult {
  return parseReadSideSpec(specToInput(spec), opts);
}

/** parseReadSideSpec for an edge: INVALID_ARGUMENT "invalid read side: …" on any problem. */
export function requireReadSideSpec(input: unknown, opts: { allowLocalHttp: boolean }): ReadSideSpec {
  const parsed = parseReadSideSpec(input, opts);
  if (!parsed.ok) throw invalidReadSide(parsed.errors);
  return parsed.spec;
}

/** The error for a definition or patch with problems. */
export function invalidReadSide(errors: string[]): StatehouseError {
  return new StatehouseError("invalid_argument", `invalid read side: ${errors.join("; ")}`);
}

/** The JSON form of a spec (secret included: only for storing, never for answering). */
export function specToInput(spec: ReadSideSpec): ReadSideInput {
  return {
    ...publicSpecToInput(spec),
    auto_start: spec.autoStart,
    ...(spec.secret !== undefined ? { secret: spec.secret } : {}),
  };
}

/** The JSON form of what an operator may see of a spec. */
export function publicSpecToInput(spec: PublicReadSideSpec): ReadSideInput {
  return {
    id: spec.id,
    ...(spec.target.kind === "url" ? { url: spec.target.url } : { binding: spec.target.binding }),
    protocol: spec.protocol,
    timeout_ms: spec.timeoutMs,
    policy: spec.policy,
    retries: spec.retries,
    backoff_ms: spec.backoffMs,
    enabled: spec.enabled,
    event_types: spec.eventTypes,
  };
}

/** Each zod issue as "field: message". */
export function issueList(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join(".") || "read side"}: ${i.message}`);
}

/** The target that url or binding names (a URL without trailing slashes); undefined for neither. */
export function targetOf(v: { url?: string; binding?: string }): ReadSideTarget | undefined {
  if (v.url !== undefined) return { kind: "url", url: v.url.replace(/\/+$/, "") };
  return v.binding !== undefined ? { kind: "binding", binding: v.binding } : undefined;
}

/** Problems with the target fields given: both at once, or a URL that may not be called. */
export function targetProblems(v: { url?: string; binding?: string }, opts: { allowLocalHttp: boolean }): string[] {
  const errors: string[] = [];
  if (v.url !== undefined && v.binding !== undefined) errors.push(ONE_TARGET);
  if (v.url !== undefined) {
    const problem = urlProblem(v.url, opts.allowLocalHttp);
    if (problem !== undefined) errors.push(`url: ${problem}`);
  }
  return errors;
}

function urlProblem(url: string, allowLocalHttp: boolean): string | undefined {
  if (!URL.canParse(url)) return "is not a URL";
  const u = new URL(url);
  if (u.username !== "" || u.password !== "") return "must not carry credentials (use a signing secret)";
  if (u.search !== "" || u.hash !== "") return "must not have a query or fragment";
  if (u.protocol === "https:") return undefined;
  if (u.protocol === "http:" && LOCAL_HOSTS.has(u.hostname)) {
    return allowLocalHttp ? undefined : "http is allowed only to localhost in local dev (STATEHOUSE_ALLOW_LOCAL_HTTP=true)";
  }
  return "must be an https:// URL (or http:// to localhost in local dev)";
}
