// Where the Log page's Newest, Older and Newer buttons read from (one partition's whole-number offsets).
import type { LogPage } from "../types.js";

/** Entries a page shows. */
export const LIMIT = 50;
/** Offsets one filtered read examines: the server's LOG_SCAN_WINDOW (src/eventlog/log-types.ts). */
export const SCAN_WINDOW = 5000;

/** A page as shown, with the offset it was read from (undefined when that was not one whole number). */
export interface Shown {
  page: LogPage;
  at: number | undefined;
}

/** Where the newest page starts: a filtered read examines a window, so start that far back. */
export function newestStart(head: Pick<LogPage, "head_offset" | "first_offset">, filtered: boolean): number {
  const back = filtered ? SCAN_WINDOW : LIMIT;
  return Math.max(head.first_offset ?? 1, (head.head_offset ?? 0) - back + 1);
}

/**
 * Where the Older button reads from; undefined when there is nothing older. From the first entry
 * shown, or where the page was read from when it shows none (a filtered window without a match
 * still has older offsets before it). Filtered, a window back: LIMIT offsets back would mostly
 * read the same matches again (the server reads forward from the start, up to LIMIT matches).
 */
export function olderStart(shown: Shown, filtered: boolean): number | undefined {
  const oldest = shown.page.first_offset ?? 1;
  const anchor = shown.page.entries[0]?.offset ?? shown.at;
  if (anchor === undefined || anchor <= oldest) return undefined;
  return Math.max(oldest, anchor - (filtered ? SCAN_WINDOW : LIMIT));
}

/** Where the Newer button reads from; undefined when the page reached the head. */
export function newerStart(shown: Shown): number | undefined {
  const next = shown.page.next_offset;
  return next === undefined || next > (shown.page.head_offset ?? 0) ? undefined : next;
}
