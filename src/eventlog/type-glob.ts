// Selectors of log reads: a type name or a glob over names (validated, and as a predicate), and one entity.
import { StatehouseError } from "../errors.js";

/** A type selector: a fully qualified name, or a glob over names with `*` and `?` (`bank.v1.*`). */
const TYPE_GLOB = /^[A-Za-z0-9_.*?]{1,200}$/;

/** Validates a type selector; undefined or "" selects every type. */
export function parseTypeGlob(value: string | undefined, field = "type"): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!TYPE_GLOB.test(value)) {
    throw new StatehouseError("invalid_argument", `${field} must be a type name or a glob of one (letters, digits, _, ., * and ?), e.g. bank.v1.*`);
  }
  return value;
}

/** Longest entity filter accepted: an entity id's limit (entity/entity-id.ts). */
const MAX_ENTITY_FILTER_BYTES = 256;

/** Validates an entity filter; undefined or "" selects every entity. An id no entity has matches nothing. */
export function parseEntityFilter(value: string | undefined, field = "entity"): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (new TextEncoder().encode(value).byteLength > MAX_ENTITY_FILTER_BYTES) {
    throw new StatehouseError("invalid_argument", `${field} must be an entity id of at most ${MAX_ENTITY_FILTER_BYTES} bytes`);
  }
  return value;
}

/** A type glob as a predicate: `*` any run of characters, `?` one, everything else literal (as SQLite's GLOB). */
export function typeMatcher(glob: string | undefined): (type: string) => boolean {
  if (glob === undefined) return () => true;
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const re = new RegExp(`^${pattern}$`);
  return (type) => re.test(type);
}

