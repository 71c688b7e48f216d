// Public surface of cursors/: D1 access for read sides, cursors, the entity index and parked events.
export { createReadSideStore } from "./read-side-store.js";
export type { ReadSideRecord, ReadSideSource, ReadSideStore } from "./read-side-store.js";
export { createCursorStore } from "./cursor-store.js";
export type { CursorKey, CursorStatus, CursorStore, CursorUpdate, EntityHead, Lease, ParkedEvent } from "./cursor-store.js";
export { createCursorViews } from "./cursor-views.js";
export type { CursorScope, CursorSummary, CursorView, CursorViews } from "./cursor-views.js";
export { createEntityIndex } from "./entity-index.js";
export type { BehindEntity, EntityIndex } from "./entity-index.js";
export { createParkedStore } from "./parked-store.js";
export type { DeadLetter, ParkedStore, ParkedView } from "./parked-store.js";
