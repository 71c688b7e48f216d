// Public surface of docstore/: the CRUD store's document ids, its per-partition index of documents and its type registry.
export { CRUD_ENTITY_PREFIX, type DocKey, checkEntityType, crudEntityId, parseCrudEntityId } from "./crud-id.js";
export { DOC_INDEX_SCHEMA, type DocIndex, type DocRow, type IndexedDoc, importDocRows, listDocuments, mergeDocPages, recordDocuments } from "./doc-index.js";
export { type CrudType, type TypeStore, createTypeStore } from "./type-store.js";
