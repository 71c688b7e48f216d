// The page size of a journal read, as ReadJournal and GET /api/v1/entities/{id}/events take it.
import { StatehouseError } from "../errors.js";

/** Default and largest page of ReadJournal. */
export const JOURNAL_PAGE_DEFAULT = 100;
export const JOURNAL_PAGE_MAX = 1000;

/** A page size from a request: 0 means the default; above the maximum is invalid_argument. */
export function journalLimit(limit: number | undefined): number {
  if (limit === undefined || limit === 0) return JOURNAL_PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > JOURNAL_PAGE_MAX) {
    throw new StatehouseError("invalid_argument", `limit must be from 1 to ${JOURNAL_PAGE_MAX}`);
  }
  return limit;
}
