// Entity ids of the CRUD store's documents: one reserved prefix, the type, then the document's own id.
import { StatehouseError } from "../../errors.js";

/** Every document entity id starts so; no other command may use such an id (EntityObject checks). */
export const CRUD_ENTITY_PREFIX = "$crud/";

/** An entity type: letters, digits, "_", "-" and "." (as eskit's event types), no "/" and no glob characters. */
const ENTITY_TYPE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;

/** A document's type and id. */
export interface DocKey {
  entityType: string;
  docId: string;
}

/** Checks an entity type; missing or malformed is invalid_argument (eskit: "missing entity type"). */
export function checkEntityType(entityType: string): string {
  if (entityType === "") throw new StatehouseError("invalid_argument", "missing entity type");
  if (!ENTITY_TYPE.test(entityType)) {
    throw new StatehouseError("invalid_argument", 'entity_type must be 1 to 100 letters, digits, "_", "-" or ".", such as User or com.acme.Project');
  }
  return entityType;
}

/**
 * The entity id of document `docId` of `entityType`: "$crud/<type>/<id>". The type holds no "/", so
 * the first "/" after the prefix splits it back unambiguously (a type with one is refused here): two (type, id) pairs never share an
 * entity id, and the reserved prefix keeps documents apart from every other entity.
 */
export function crudEntityId(key: DocKey): string {
  checkEntityType(key.entityType);
  return `${CRUD_ENTITY_PREFIX}${key.entityType}/${key.docId}`;
}

/** The (type, id) of a document's entity id; undefined for any other entity. */
export function parseCrudEntityId(entityId: string): DocKey | undefined {
  if (!entityId.startsWith(CRUD_ENTITY_PREFIX)) return undefined;
  const rest = entityId.slice(CRUD_ENTITY_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  return { entityType: rest.slice(0, slash), docId: rest.slice(slash + 1) };
}
