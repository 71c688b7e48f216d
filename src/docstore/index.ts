// Public surface of docstore/: the CRUD store's document ids, its D1 index of documents and its type registry.
export { CRUD_ENTITY_PREFIX, type DocKey, checkEntityType, crudEntityId, parseCrudEntityId } from "./crud-id.js";
export { type DocIndex, type IndexedDoc, createDocIndex, docIndexStatements } from "./doc-index.js";
export { type CrudType, type TypeStore, createTypeStore } from "./type-store.js";
