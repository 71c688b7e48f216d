// The entity's reads, beside its command path: a past or present state, a page of the journal.
import { StatehouseError } from "../errors.js";
import type { JournalStore } from "./journal/index.js";
import type { Head } from "./entity-head.js";
import type { JournalPage, StateReply } from "./rpc-types.js";

/**
 * Bytes a journal page holds at most (plus at most one row, itself up to 2 MB): far under the
 * 32 MiB limit on a Durable Object call, and small enough that six pages in flight, decoded and
 * re-encoded for the handlers, stay well inside a consumer's 128 MB.
 */
export const JOURNAL_PAGE_BYTES = 1024 * 1024;

/** The state and meta at the head, or right after `revision` when given. */
export function readState(journal: JournalStore, head: Head | undefined, entityId: string, revision?: number): StateReply {
  if (head === undefined) throw new StatehouseError("not_found", `entity ${entityId} not found`);
  if (revision === undefined || revision === head.revision) {
    return { state: head.stateBytes, meta: head.metaBytes };
  }
  if (revision < 1 || revision > head.revision) {
    throw new StatehouseError("out_of_range", `revision ${revision} does not exist: entity ${entityId} is at revision ${head.revision}`);
  }
  const row = journal.stateAt(revision);
  if (row === undefined) {
    throw new StatehouseError("not_found", `revision ${revision} of entity ${entityId} is no longer retained (compacted)`);
  }
  return { state: row.state, meta: row.meta };
}

/** A page of the journal, oldest first: at most `limit` rows and about `maxBytes` (default JOURNAL_PAGE_BYTES). */
export function readJournalPage(
  journal: JournalStore,
  headRevision: number,
  input: { fromRevision: number; limit: number; maxBytes?: number },
): JournalPage {
  const from = Math.max(1, input.fromRevision);
  const events = journal.read(from, input.limit, Math.min(input.maxBytes ?? JOURNAL_PAGE_BYTES, JOURNAL_PAGE_BYTES));
  const last = events.at(-1)?.revision ?? from - 1;
  return {
    events,
    nextFromRevision: last < headRevision && events.length > 0 ? last + 1 : 0,
    headRevision,
    firstRetainedRevision: journal.firstRetained(),
    compactedAt: journal.compactedAt(),
  };
}
