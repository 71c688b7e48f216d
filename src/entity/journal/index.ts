// Public surface of entity/journal/: the entity's SQLite journal, snapshots and idempotency keys (only entity/ reads it).
export { JournalStore, createJournalStore } from "./journal-store.js";
export type { AppendOptions, JournalEntry, RowCounts, StateRow } from "./journal-store.js";
