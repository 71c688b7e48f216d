// D1 access for the CRUD store's type registry: a JSON Schema and its schema_version per entity type.
/** A registered type. */
export interface CrudType {
  entityType: string;
  schemaVersion: number;
  /** "" when the type has no schema (documents are not validated). */
  jsonSchema: string;
}

/** Reads and writes the registry; each write reports whether it took. */
export interface TypeStore {
  get(entityType: string): Promise<CrudType | undefined>;
  /** Inserts the type; false when it is already registered. */
  insert(t: CrudType, now: number): Promise<boolean>;
  /** Replaces the type; false when it is not registered. */
  update(t: CrudType, now: number): Promise<boolean>;
  /** Up to `limit` types, by name. */
  list(limit: number): Promise<CrudType[]>;
}

type Row = { entity_type: string; schema_version: number; json_schema: string };
const toType = (r: Row): CrudType => ({ entityType: r.entity_type, schemaVersion: r.schema_version, jsonSchema: r.json_schema });

/** A TypeStore over D1. */
export function createTypeStore(db: D1Database): TypeStore {
  return {
    async get(entityType) {
      const row = await db.prepare("SELECT entity_type, schema_version, json_schema FROM sh_crud_type WHERE entity_type = ?").bind(entityType).first<Row>();
      return row === null ? undefined : toType(row);
    },
    async insert(t, now) {
      const r = await db
        .prepare(
          `INSERT INTO sh_crud_type (entity_type, schema_version, json_schema, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
           ON CONFLICT (entity_type) DO NOTHING`,
        )
        .bind(t.entityType, t.schemaVersion, t.jsonSchema, now)
        .run();
      return r.meta.changes > 0;
    },
    async update(t, now) {
      const r = await db
        .prepare("UPDATE sh_crud_type SET schema_version = ?2, json_schema = ?3, updated_at = ?4 WHERE entity_type = ?1")
        .bind(t.entityType, t.schemaVersion, t.jsonSchema, now)
        .run();
      return r.meta.changes > 0;
    },
    async list(limit) {
      const rows = await db.prepare("SELECT entity_type, schema_version, json_schema FROM sh_crud_type ORDER BY entity_type LIMIT ?").bind(limit).all<Row>();
      return rows.results.map(toType);
    },
  };
}
