// eskit's log selectors ("User.*", "*.Created") and pipeline ids, as a glob D1 can pre-filter by and an exact test.
import { StatehouseError } from "../errors.js";

/** Longest selector or pipeline id accepted. */
const MAX_SELECTOR_CHARS = 200;
/** Longest type glob the log reads by (see parseTypeGlob in eventlog/). */
const MAX_GLOB_CHARS = 200;

/** A parsed selector: a GLOB that matches at least what it selects, and the exact test. */
export interface LogSelector {
  /** A glob over the log's event types for the D1 read; undefined reads every type. */
  glob: string | undefined;
  /** eskit's own rule, applied to every entry the glob let through. */
  matches(eventType: string): boolean;
}

/**
 * Parses eskit's `selector` and `pipeline_id`. A type "A.B.Created" has the entity type "A.B" (all
 * before the last dot) and the event name "Created"; a selector "<entity>.<event>" selects types
 * whose parts are equal, "*" standing for any. "" and "*" select every type. A pipeline id, as in
 * eskit, keeps only types of that entity type. The glob is a superset (characters a glob would
 * read as patterns become "?"), so the exact test decides.
 */
export function parseLogSelector(selector: string, pipelineId: string): LogSelector {
  for (const [field, value] of [["selector", selector], ["pipeline_id", pipelineId]] as const) {
    if (value.length > MAX_SELECTOR_CHARS) throw new StatehouseError("invalid_argument", `${field} is longer than ${MAX_SELECTOR_CHARS} characters`);
  }
  const all = selector === "" || selector === "*";
  const [entity, name] = splitType(selector);
  const matches = (eventType: string): boolean => {
    const [e, n] = splitType(eventType);
    if (pipelineId !== "" && e !== pipelineId) return false;
    return all || ((entity === "*" || entity === e) && (name === "*" || name === n));
  };
  const glob = selectorGlob(all, entity, name) ?? (pipelineId === "" ? undefined : `${literal(pipelineId)}.*`);
  // The log takes globs of up to 200 characters; without one the read is merely unfiltered.
  return { glob: glob !== undefined && glob.length <= MAX_GLOB_CHARS ? glob : undefined, matches };
}

/** eskit's split of a type: entity type before the last dot, event name after it. */
function splitType(type: string): [string, string] {
  const dot = type.lastIndexOf(".");
  return dot < 0 ? ["", type] : [type.slice(0, dot), type.slice(dot + 1)];
}

function selectorGlob(all: boolean, entity: string, name: string): string | undefined {
  if (all || (entity === "*" && name === "*") || (entity === "" && name === "*")) return undefined;
  if (entity === "*") return `*${literal(name)}`;
  if (name === "*") return `${literal(entity)}.*`;
  return entity === "" ? literal(name) : `${literal(entity)}.${literal(name)}`;
}

/** A selector part as glob text: a character the log's globs do not take literally matches as "?". */
function literal(part: string): string {
  return part.replace(/[^A-Za-z0-9_.]/g, "?");
}
