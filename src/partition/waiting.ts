// How long an entity's events have waited: "marks" record when the partition first knew of each
// range of revisions, so a read side's lag reads in seconds as well as in events.

/** [first revision, ms]: the events from this revision up to the next mark were first known to the partition at this time. */
export type Mark = [revision: number, at: number];

/** Marks an entity row keeps at most; past this, the two closest in time merge (the older time wins). */
export const MAX_MARKS = 16;

/** The marks from a row's stored JSON; anything that is not a list of [revision, ms] pairs reads as none. */
export function parseMarks(json: string | null | undefined): Mark[] {
  if (json === null || json === undefined || json === "") return [];
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value)) return [];
  return value.filter((m): m is Mark => Array.isArray(m) && m.length === 2 && Number.isInteger(m[0]) && Number.isFinite(m[1]));
}

/**
 * The marks after a row's head rose from `from` to a higher revision at `now` (the events from
 * `from + 1` on were first known then), trimmed for cursors at `lowest` or later. Whoever knew of
 * the new head at `now` knew of every revision below it too: marks later than `now` (a raise that
 * committed while this batch delivered, another clock) take `now`, so times stay in revision
 * order and no wait reads younger than it is.
 */
export function markRise(marks: readonly Mark[], from: number, now: number, lowest: number): Mark[] {
  const kept = marks.map(([r, at]): Mark => [r, Math.min(at, now)]);
  return trimMarks([...kept, [from + 1, now]], lowest);
}

/**
 * Drops what no cursor at `lowest` or later can need: marks before the one that covers
 * `lowest + 1`, except the entity's first (revision 1), which a restarted cursor needs. Past
 * MAX_MARKS, the mark closest in time to the one before it merges into that one: a cursor it
 * covered then reads an older time, never a younger one.
 */
export function trimMarks(marks: readonly Mark[], lowest: number): Mark[] {
  let cover = -1;
  for (let i = 0; i < marks.length; i++) if ((marks[i] as Mark)[0] <= lowest + 1) cover = i;
  const kept = marks.filter((m, i) => i >= cover || (i === 0 && m[0] === 1));
  while (kept.length > MAX_MARKS) {
    let merge = 1;
    for (let i = 2; i < kept.length - 1; i++) if (gap(kept, i) < gap(kept, merge)) merge = i;
    kept.splice(merge, 1);
  }
  return kept;
}

/** When the oldest event after `revision` was first known (undefined when no mark covers it). */
export function waitingSince(marks: readonly Mark[], revision: number): number | undefined {
  let since: number | undefined;
  for (const [r, at] of marks) if (r <= revision + 1) since = at;
  return since;
}

function gap(marks: readonly Mark[], i: number): number {
  return (marks[i] as Mark)[1] - (marks[i - 1] as Mark)[1];
}

/**
 * A moved row's marks merged with those of the row its new owner indexed meanwhile (a shard move):
 * revision by revision the older of the two times, so no wait reads younger than either row says.
 * Revisions the moved row has no time for stay unknown (a row from before marks: the new owner's
 * younger time would read shorter); with no row at the new owner, the moved marks as they were.
 * At most MAX_MARKS (trimMarks' merge: older only).
 */
export function mergeMarks(moved: readonly Mark[], meanwhile: readonly Mark[]): Mark[] {
  if (meanwhile.length === 0) return [...moved];
  const revisions = [...new Set([...moved, ...meanwhile].map((m) => m[0]))].sort((x, y) => x - y);
  const merged: Mark[] = [];
  for (const r of revisions) {
    const a = waitingSince(moved, r - 1);
    if (a === undefined) continue;
    const b = waitingSince(meanwhile, r - 1);
    const at = b === undefined ? a : Math.min(a, b);
    if (merged.at(-1)?.[1] !== at) merged.push([r, at]);
  }
  return trimMarks(merged, -1);
}
