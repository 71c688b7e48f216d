// Public surface of control/: the control plane in D1 — read side definitions and pauses, dead letters.
export { READ_SIDES_SQL, createReadSideStore, toRecord } from "./read-side-store.js";
export type { ReadSideRecord, ReadSideRow, ReadSideSource, ReadSideStore } from "./read-side-store.js";
export { createDeadLetterStore } from "./dead-letter-store.js";
export type { DeadLetter, DeadLetterStore } from "./dead-letter-store.js";
export { type LayoutStore, createLayoutStore } from "./layout-store.js";
export { type LegacyDoc, type LegacyEntity, type LegacyLogRow, type LegacyParked, type LegacyStore, createLegacyStore } from "./legacy-store.js";
