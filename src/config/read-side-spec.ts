// What a read side definition is and how one is validated (shared by config and the admin API).
import { z } from "zod";
import { HANDLER_PROTOCOLS, type HandlerProtocol } from "./protocols.js";
import { TYPE_NAME } from "./type-name.js";

/** CoS's read side id pattern: letters, digits, "_" and "-", as in COS_READ_SIDE_CONFIG__*__<ID>. */
export const READ_SIDE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** What happens when a read-side handler fails (CoS's names). */
export const FAILURE_POLICIES = ["STOP", "SKIP", "REPLAY_SKIP", "REPLAY_STOP"] as const;
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];
/** Longest handler timeout: a consumer starts no call later than BATCH_BUDGET_MS into its batch. */
export const MAX_READ_SIDE_TIMEOUT_MS = 60_000;

/** A validated read side definition. `secret` is write-only: never returned, never logged. */
export interface ReadSideSpec {
  id: string;
  target: { kind: "url"; url: string } | { kind: "binding"; binding: string };
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

const BINDING_NAME = /^[A-Z][A-Z0-9_]*$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The JSON form of a definition, as the admin API, the CLI and STATEHOUSE_READ_SIDES write it. */
export const readSideInputSchema = z
  .object({
    id: z.string().regex(READ_SIDE_ID_PATTERN, "must be 1 to 63 letters, digits, _ or -, starting with a letter or digit"),
    url: z.string().optional(),
    binding: z.string().regex(BINDING_NAME, "must be a binding name in SCREAMING_SNAKE_CASE").optional(),
    protocol: z.enum(HANDLER_PROTOCOLS, { error: `must be one of ${HANDLER_PROTOCOLS.join(", ")}` }).default("connect"),
    timeout_ms: z.number().int().min(1).max(MAX_READ_SIDE_TIMEOUT_MS).default(5000),
    policy: z.enum(FAILURE_POLICIES, { error: `must be one of ${FAILURE_POLICIES.join(", ")}` }).default("REPLAY_STOP"),
    retries: z.number().int().min(0).max(100).default(5),
    backoff_ms: z.number().int().min(0).max(3_600_000).default(1000),
    enabled: z.boolean().default(true),
    auto_start: z.boolean().default(true),
    event_types: z.array(z.string().regex(TYPE_NAME, "each entry must be a fully qualified message name")).default([]),
    secret: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]{22,172}={0,2}$/, "must be a Standard Webhooks secret: whsec_ followed by base64 of 16 to 128 bytes")
      .optional(),
  })
  .strict();

/** The JSON form of a definition. */
export type ReadSideInput = z.input<typeof readSideInputSchema>;

/** Validates a definition; every problem names its field. */
export function parseReadSideSpec(
  input: unknown,
  opts: { allowLocalHttp: boolean },
): { ok: true; spec: ReadSideSpec } | { ok: false; errors: string[] } {
  const parsed = readSideInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".") || "read side"}: ${i.message}`) };
  }
  const v = parsed.data;
  const errors: string[] = [];
  if ((v.url === undefined) === (v.binding === undefined)) errors.push("read side: give exactly one of url and binding");
  if (v.url !== undefined) {
    const problem = urlProblem(v.url, opts.allowLocalHttp);
    if (problem !== undefined) errors.push(`url: ${problem}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    spec: {
      id: v.id,
      target: v.url !== undefined ? { kind: "url", url: v.url.replace(/\/+$/, "") } : { kind: "binding", binding: v.binding as string },
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

/** The JSON form of a spec (secret included: only for storing, never for answering). */
export function specToInput(spec: ReadSideSpec): ReadSideInput {
  return {
    id: spec.id,
    ...(spec.target.kind === "url" ? { url: spec.target.url } : { binding: spec.target.binding }),
    protocol: spec.protocol,
    timeout_ms: spec.timeoutMs,
    policy: spec.policy,
    retries: spec.retries,
    backoff_ms: spec.backoffMs,
    enabled: spec.enabled,
    auto_start: spec.autoStart,
    event_types: spec.eventTypes,
    ...(spec.secret !== undefined ? { secret: spec.secret } : {}),
  };
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
