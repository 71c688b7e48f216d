// Public surface of journal/: the entity's SQLite journal, snapshots and idempotency keys.
export { JournalStore, createJournalStore } from "./journal-store.js";
export type { AppendOptions, JournalEntry, RowCounts, StateRow } from "./journal-store.js";
