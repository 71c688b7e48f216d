// eskit's CRUD type registry: a JSON Schema per entity type, and documents validated against it.
import type { JsonObject } from "@bufbuild/protobuf";
import { Validator } from "@cfworker/json-schema";
import { StatehouseError } from "../errors.js";
import type { CrudEntitySpec } from "../gen/contracts/crudstore/schema_pb.js";
import { type CrudType, type TypeStore, checkEntityType } from "./store/index.js";

/** Types ListTypes returns when `limit` is 0 (eskit's default) and at most. */
export const LIST_TYPES_DEFAULT_LIMIT = 20;
export const LIST_TYPES_MAX_LIMIT = 1000;

/** The registry's operations; errors follow eskit's services (416a6d3). */
export interface CrudTypes {
  register(spec: CrudEntitySpec | undefined, skipDuplicate: boolean): Promise<void>;
  get(entityType: string): Promise<CrudType>;
  update(spec: CrudEntitySpec | undefined): Promise<void>;
  list(limit: number): Promise<CrudType[]>;
  /** Checks `document` against its type's schema: invalid_argument listing every violation. */
  validate(entityType: string, document: JsonObject): Promise<void>;
}

/**
 * A schema as eskit accepts it: with a json_schema, schema_version is required and the schema must
 * be a JSON object or boolean the validator takes ("schema : …" invalid_argument otherwise).
 */
function checkSpec(spec: CrudEntitySpec | undefined): CrudType {
  if (spec === undefined) throw new StatehouseError("invalid_argument", "missing spec");
  checkEntityType(spec.entityType);
  const jsonSchema = spec.schemaSpec?.jsonSchema ?? "";
  const schemaVersion = Number(spec.schemaSpec?.schemaVersion ?? 0n);
  if (jsonSchema !== "") {
    if (schemaVersion === 0) throw new StatehouseError("invalid_argument", "schema : version is required");
    validatorOf(jsonSchema);
  }
  return { entityType: spec.entityType, schemaVersion, jsonSchema };
}

/** @cfworker/json-schema interprets schemas (no eval / new Function, which workerd refuses). */
function validatorOf(jsonSchema: string): Validator {
  let schema: unknown;
  try {
    schema = JSON.parse(jsonSchema);
  } catch {
    throw new StatehouseError("invalid_argument", "schema : invalid spec : json_schema is not valid JSON");
  }
  if (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema))) {
    throw new StatehouseError("invalid_argument", "schema : invalid spec : json_schema must be a JSON object");
  }
  try {
    return new Validator(schema as object, "2020-12", false);
  } catch (cause) {
    throw new StatehouseError("invalid_argument", `schema : compile schema : ${String(cause)}`);
  }
}

/** The registry over its D1 store. */
export function createCrudTypes(store: TypeStore): CrudTypes {
  return {
    async register(spec, skipDuplicate) {
      const t = checkSpec(spec);
      const inserted = await store.insert(t, Date.now());
      if (!inserted && !skipDuplicate) throw new StatehouseError("already_exists", "already registered");
    },
    async get(entityType) {
      checkEntityType(entityType);
      const t = await store.get(entityType);
      if (t === undefined) throw new StatehouseError("not_found", "not found");
      return t;
    },
    async update(spec) {
      const t = checkSpec(spec);
      const old = await store.get(t.entityType);
      if (old === undefined) throw new StatehouseError("not_found", "schema not found");
      if (t.jsonSchema !== "" && old.schemaVersion === t.schemaVersion) throw new StatehouseError("invalid_argument", "schema version not changed");
      if (!(await store.update(t, Date.now()))) throw new StatehouseError("not_found", "schema not found");
    },
    async list(limit) {
      return store.list(limit === 0 ? LIST_TYPES_DEFAULT_LIMIT : Math.min(limit, LIST_TYPES_MAX_LIMIT));
    },
    async validate(entityType, document) {
      const t = await store.get(entityType);
      if (t === undefined || t.jsonSchema === "") return;
      const result = validatorOf(t.jsonSchema).validate(document);
      if (result.valid) return;
      // "properties" only says that a property failed; the unit for that property says how.
      const units = result.errors.filter((e) => e.keyword !== "properties" || result.errors.length === 1);
      const list = units.map((e) => `- ${e.instanceLocation}: ${e.error}`).join("\n");
      throw new StatehouseError("invalid_argument", `validation : schema constraint failed :\n${list}`);
    },
  };
}
