// A log entry made whole for CoS's SubscribeAll: the event or state the log did not keep, read from the entity.
import type { EntityClient } from "../entity/index.js";
import { type DecodedLogEntry, decodeLogEntry, type LogEntry } from "../eventlog/index.js";
import { decodeJournalEntry } from "../entity/index.js";

/**
 * Decodes `entry` and, when the log did not keep its resulting state (STATEHOUSE_LOG_STATES off)
 * or its event (too large for D1), reads them from the entity's journal. If compaction already
 * deleted that revision they stay unset rather than being guessed.
 */
export async function completeLogEntry(entities: EntityClient, entry: LogEntry): Promise<DecodedLogEntry> {
  const e = decodeLogEntry(entry);
  if (e.event !== undefined && e.state !== undefined) return e;
  const page = await entities.readJournal(e.entityId, e.revision, 1);
  const row = page.events[0];
  if (row === undefined || row.revision !== e.revision) return e;
  const full = decodeJournalEntry(row);
  return { ...e, event: e.event ?? full.event, state: e.state ?? full.state };
}
