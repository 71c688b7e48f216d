// Public surface of eskit/store/: what eskit keeps below the domain — document ids, the documents' index in each partition, the type registry (D1), the log type of an eskit event.
export { CRUD_ENTITY_PREFIX, type DocKey, checkEntityType, crudEntityId, parseCrudEntityId } from "./crud-id.js";
export {
  DOC_INDEX_SCHEMA,
  type DocIndex,
  type DocRow,
  type IndexedDoc,
  dropDocRows,
  exportDocRows,
  importDocRows,
  listDocuments,
  mergeDocPages,
  recordDocuments,
} from "./doc-index.js";
export { type CrudType, type TypeStore, createTypeStore } from "./type-store.js";
export { isEskitEvent, logEventType } from "./log-event-type.js";
export {
  ESKIT_EVENTS_CRUD_TOTAL,
  ESKIT_EVENTS_STORE_TOTAL,
  ESKIT_EVENTS_STREAM_COUNT,
  ESKIT_EVENTS_STREAM_LAST_ID,
  eskitCounts,
  splitEskitType,
} from "./eskit-series.js";
