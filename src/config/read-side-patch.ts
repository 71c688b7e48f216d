// A change to a read side definition: its JSON form, how it is validated and how it applies to a spec.
import { z } from "zod";
import type { HandlerProtocol } from "./protocols.js";
import {
  type FailurePolicy,
  type ReadSideSpec,
  type ReadSideTarget,
  invalidReadSide,
  issueList,
  readSideFields,
  targetOf,
  targetProblems,
} from "./read-side-spec.js";

/** Changes to a definition: each field given replaces the current one; the id never changes. */
export interface ReadSidePatch {
  /** A new target replaces the old one, whichever kind it was. */
  target?: ReadSideTarget;
  protocol?: HandlerProtocol;
  timeoutMs?: number;
  policy?: FailurePolicy;
  retries?: number;
  backoffMs?: number;
  enabled?: boolean;
  eventTypes?: string[];
  /** A new signing secret, or null to remove it. */
  secret?: string | null;
}

/**
 * The JSON form of a patch: the definition's fields without id, none required, no defaults.
 * auto_start is accepted and ignored (it matters only when a read side is created).
 */
const readSidePatchSchema = z
  .object({
    url: readSideFields.url.optional(),
    binding: readSideFields.binding.optional(),
    protocol: readSideFields.protocol.optional(),
    timeout_ms: readSideFields.timeout_ms.optional(),
    policy: readSideFields.policy.optional(),
    retries: readSideFields.retries.optional(),
    backoff_ms: readSideFields.backoff_ms.optional(),
    enabled: readSideFields.enabled.optional(),
    auto_start: readSideFields.auto_start.optional(),
    event_types: readSideFields.event_types.optional(),
    secret: readSideFields.secret.nullable().optional(),
  })
  .strict();

/** Validates a patch in its JSON form; every problem names its field, as for a whole definition. */
export function parseReadSidePatch(
  input: unknown,
  opts: { allowLocalHttp: boolean },
): { ok: true; patch: ReadSidePatch } | { ok: false; errors: string[] } {
  const parsed = readSidePatchSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: issueList(parsed.error) };
  const v = parsed.data;
  const errors = targetProblems(v, opts);
  if (errors.length > 0) return { ok: false, errors };
  const patch: ReadSidePatch = {
    target: targetOf(v),
    protocol: v.protocol,
    timeoutMs: v.timeout_ms,
    policy: v.policy,
    retries: v.retries,
    backoffMs: v.backoff_ms,
    enabled: v.enabled,
    eventTypes: v.event_types,
    secret: v.secret,
  };
  return { ok: true, patch: definedOnly(patch) };
}

/** parseReadSidePatch for an edge: INVALID_ARGUMENT "invalid read side: …" on any problem. */
export function requireReadSidePatch(input: unknown, opts: { allowLocalHttp: boolean }): ReadSidePatch {
  const parsed = parseReadSidePatch(input, opts);
  if (!parsed.ok) throw invalidReadSide(parsed.errors);
  return parsed.patch;
}

/** The spec with the patch applied (not yet validated as a whole: see checkReadSideSpec). */
export function applyReadSidePatch(spec: ReadSideSpec, patch: ReadSidePatch): ReadSideSpec {
  const { secret, ...fields } = definedOnly(patch);
  return { ...spec, ...fields, secret: secret === null ? undefined : (secret ?? spec.secret) };
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
