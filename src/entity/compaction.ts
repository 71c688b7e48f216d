// Journal compaction: rows older than the oldest retained snapshot go, once the Queue and every read side are past them.
import type { JournalStore } from "./journal/index.js";
import { log } from "../log.js";

/**
 * Deletes journal rows older than the oldest retained snapshot, but never one the Queue has not
 * been handed (`published`), nor one an enabled, running read side has not handled: `lowWater`
 * is the port to that mark, kept by the entity's partition. A failed look-up compacts nothing;
 * the alarm after the next commit tries again.
 */
export async function compactJournal(
  journal: JournalStore,
  entityId: string,
  published: number,
  lowWater: (entityId: string) => Promise<number | undefined>,
): Promise<void> {
  if (journal.compactable() === undefined) return;
  let mark: number | undefined;
  try {
    mark = await lowWater(entityId);
  } catch (cause) {
    log.error(`statehouse: compaction of ${entityId} skipped: the read sides' low-water mark could not be read`, { entity_id: entityId, error: cause });
    return;
  }
  journal.compact(Math.min(published, mark ?? Number.POSITIVE_INFINITY), Date.now());
}
