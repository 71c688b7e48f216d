// A request's CRUD store: documents committed through the entity with the built-in eskit-crud handler, and the type registry.
import type { Config } from "../config/index.js";
import type { EntityClient } from "../entity/index.js";
import { buildCommandInput } from "../input/index.js";
import { type CrudDocuments, createCrudDocuments } from "./crud-documents.js";
import { type CrudTypes, createCrudTypes } from "./crud-types.js";
import type { DocIndex, TypeStore } from "./store/index.js";

/** What a request's CRUD store is built from (a subset of the front doors' request values). */
export interface CrudRequestValues {
  entities: EntityClient;
  config: Config;
  docIndex: DocIndex;
  typeStore: TypeStore;
}

/**
 * A request's CRUD store and type registry, for CrudStoreService and the documents JSON API alike.
 * Its commands carry the request's headers (the idempotency-key and persisted headers work as on
 * ProcessCommand) and fold with eskit-crud.
 */
export function createRequestCrudStore(values: CrudRequestValues, headers: Headers): { docs: CrudDocuments; types: CrudTypes } {
  const { entities, config, docIndex, typeStore } = values;
  const types = createCrudTypes(typeStore);
  const docs = createCrudDocuments({
    entities,
    index: docIndex,
    types,
    commit: async (entityId, command, expectedRevision) => {
      const input = buildCommandInput({ entityId, command, headers, options: { in: "headers" } }, config);
      return entities.processCommand({ ...input, expectedRevision: expectedRevision ?? input.expectedRevision, builtin: "eskit-crud" });
    },
  });
  return { docs, types };
}
