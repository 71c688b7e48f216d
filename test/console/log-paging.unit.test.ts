// The console's Log page: where Newest, Older and Newer read from, filtered or not.
import { describe, expect, it } from "vitest";
import type { LogEntry, LogPage } from "../../console/src/types.js";
import { LIMIT, SCAN_WINDOW, newerStart, newestStart, olderStart } from "../../console/src/ui/log-paging.js";

const entry = (offset: number) => ({ offset }) as LogEntry;
const page = (p: Partial<LogPage>): LogPage => ({ entries: [], next: "", head: "", first: "", ...p });

describe("log paging", () => {
  it("reads the newest page from the last LIMIT offsets, or from the last window when filtered", () => {
    expect(newestStart({ head_offset: 10_000, first_offset: 1 }, false)).toBe(10_000 - LIMIT + 1);
    expect(newestStart({ head_offset: 10_000, first_offset: 1 }, true)).toBe(10_000 - SCAN_WINDOW + 1);
    expect(newestStart({ head_offset: 30, first_offset: 1 }, true)).toBe(1);
  });

  it("goes older from a filtered page with no match in its window (the entity's events are older than the window)", () => {
    // An entity with events at offsets 1..3 only; 10,000 entries of others since. The newest filtered page is empty.
    const shown = { at: 10_000 - SCAN_WINDOW + 1, page: page({ entries: [], next_offset: 10_001, head_offset: 10_000, first_offset: 1 }) };
    expect(newerStart(shown)).toBeUndefined();
    expect(olderStart(shown, true)).toBe(1);
  });

  it("goes older from a filtered page by a window, not by LIMIT offsets that hold no other match", () => {
    // Matches every 100 offsets: a page from 5,001 shows 5,100, 5,200, ...; the one before is at 5,000.
    const shown = { at: 5_001, page: page({ entries: [entry(5_100), entry(5_200)], next_offset: 10_001, head_offset: 10_000, first_offset: 1 }) };
    const older = olderStart(shown, true) as number;
    expect(older).toBeLessThanOrEqual(5_000);
    expect(older).toBe(5_100 - SCAN_WINDOW);
    // Unfiltered, LIMIT offsets back from the first entry shown.
    const plain = { at: 5_100, page: page({ entries: [entry(5_100)], next_offset: 5_150, head_offset: 10_000, first_offset: 1 }) };
    expect(olderStart(plain, false)).toBe(5_100 - LIMIT);
    // Nothing older than the oldest offset retention kept.
    expect(olderStart({ at: 1, page: page({ entries: [entry(1)], next_offset: 51, head_offset: 10_000, first_offset: 1 }) }, true)).toBeUndefined();
    expect(olderStart({ at: 1, page: page({ entries: [], next_offset: 5_001, head_offset: 10_000, first_offset: 1 }) }, true)).toBeUndefined();
  });
});
