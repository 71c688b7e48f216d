// Public surface of cursors/: D1 access for read sides, cursors, the entity index and parked events.
export { READ_SIDES_SQL, createReadSideStore, toRecord } from "./read-side-store.js";
export type { ReadSideRecord, ReadSideRow, ReadSideSource, ReadSideStore } from "./read-side-store.js";
export { createCursorStore, cursorId, freshCursor, headUpsert } from "./cursor-store.js";
export type { AppendedEntry, BatchPositions, CommitResult, Cursor, CursorKey, CursorStatus, CursorStore, CursorUpdate, EntityHead, ParkedEvent } from "./cursor-store.js";
export { createCursorViews } from "./cursor-views.js";
export type { CursorScope, CursorSummary, CursorView, CursorViews, DueRetry } from "./cursor-views.js";
export { createEntityIndex } from "./entity-index.js";
export type { BehindEntity, EntityIndex, IndexedEntity } from "./entity-index.js";
export { createParkedStore } from "./parked-store.js";
export type { DeadLetter, ParkedStore, ParkedView } from "./parked-store.js";
