// Marks: when a partition first knew of each range of an entity's revisions.
import { describe, expect, it } from "vitest";
import { MAX_MARKS, type Mark, markRise, mergeMarks, parseMarks, trimMarks, waitingSince } from "../../src/partition/waiting.js";

describe("marks", () => {
  it("reads a cursor's wait from the newest mark at or before its next revision", () => {
    const marks: Mark[] = [
      [1, 100],
      [4, 200],
      [9, 300],
    ];
    expect(waitingSince(marks, 0)).toBe(100);
    expect(waitingSince(marks, 2)).toBe(100);
    expect(waitingSince(marks, 3)).toBe(200);
    expect(waitingSince(marks, 8)).toBe(300);
    expect(waitingSince([[5, 10]], 2)).toBeUndefined();
  });

  it("adds a mark when the head rises; a rise known before the last mark's time makes the later marks older, never itself younger", () => {
    expect(markRise([[1, 100]], 3, 250, 0)).toEqual([
      [1, 100],
      [4, 250],
    ]);
    expect(markRise([[1, 100]], 3, 50, 0)).toEqual([
      [1, 50],
      [4, 50],
    ]);
  });

  it("never reads a wait shorter when a batch loaded before a raise commits after it", () => {
    // Head 3 since 100. A batch loads at 200 knowing head 7 and delivers slowly; meanwhile the
    // reconciler raises the head to 5 at 300; then the batch commits 5 → 7, known since 200.
    const raised = markRise([[1, 100]], 3, 300, 0);
    const committed = markRise(raised, 5, 200, 0);
    for (const r of [3, 4, 5, 6]) expect(waitingSince(committed, r)).toBeLessThanOrEqual(200);
    for (let i = 1; i < committed.length; i++) expect((committed[i] as Mark)[1]).toBeGreaterThanOrEqual((committed[i - 1] as Mark)[1]);
  });

  it("trims what no cursor at the lowest revision or later needs, keeping the entity's first for a restart", () => {
    const marks: Mark[] = [
      [1, 100],
      [4, 200],
      [9, 300],
      [12, 400],
    ];
    expect(trimMarks(marks, 10)).toEqual([
      [1, 100],
      [9, 300],
      [12, 400],
    ]);
    expect(trimMarks(marks, 0)).toEqual(marks);
    // A first mark past revision 1 (a store from before marks) is not kept for a restart it cannot answer.
    expect(trimMarks([[3, 100], [6, 200]], 7)).toEqual([[6, 200]]);
  });

  it("past the cap merges the mark closest in time to the one before, so waits only ever read older", () => {
    const marks: Mark[] = Array.from({ length: MAX_MARKS + 1 }, (_, i) => [i * 10 + 1, i * 1000 + (i === 7 ? -990 : 0)]);
    const trimmed = trimMarks(marks, 0);
    expect(trimmed).toHaveLength(MAX_MARKS);
    expect(trimmed.map((m) => m[0])).not.toContain(71);
    expect(trimmed[0]).toEqual([1, 0]);
    expect(trimmed.at(-1)).toEqual(marks.at(-1));
    expect(waitingSince(trimmed, 75)).toBe(6000);
  });

  it("merges two rows' marks by revision, the older time winning", () => {
    expect(mergeMarks([[1, 100], [5, 300]], [[5, 250], [7, 400]])).toEqual([
      [1, 100],
      [5, 250],
      [7, 300],
    ]);
  });

  it("never merges a moved row's wait into a younger one: revision by revision the older time, unknown where the moved row did not know", () => {
    // The moved row knew revisions 5.. since 300 (its head was 8); the row the new owner indexed
    // meanwhile (dead letters) rose to 7 at 400. Revision 7 has waited since 300 at the latest.
    const moved: Mark[] = [
      [1, 100],
      [5, 300],
    ];
    const meanwhile: Mark[] = [
      [1, 350],
      [7, 400],
    ];
    const merged = mergeMarks(moved, meanwhile);
    for (let r = 0; r < 8; r++) {
      const since = waitingSince(merged, r) as number;
      expect(since).toBeLessThanOrEqual(waitingSince(moved, r) as number);
      expect(since).toBeLessThanOrEqual(waitingSince(meanwhile, r) as number);
    }
    // A row from before marks moves: its waits stay unknown, not the new owner's younger time.
    expect(waitingSince(mergeMarks([], [[1, 5_000]]), 0)).toBeUndefined();
    expect(waitingSince(mergeMarks([[11, 1_000]], [[1, 5_000]]), 3)).toBeUndefined();
    expect(waitingSince(mergeMarks([[11, 1_000]], [[1, 5_000]]), 10)).toBe(1_000);
    // No row at the new owner: the moved marks as they were.
    expect(mergeMarks(moved, [])).toEqual(moved);
    // At most MAX_MARKS.
    const many = (t: number): Mark[] => Array.from({ length: MAX_MARKS }, (_, i) => [1 + 2 * i + (t % 2), t + i] as Mark);
    expect(mergeMarks(many(100), many(201)).length).toBeLessThanOrEqual(MAX_MARKS);
  });

  it("reads stored JSON that is not a list of pairs as none", () => {
    expect(parseMarks(null)).toEqual([]);
    expect(parseMarks("{}")).toEqual([]);
    expect(parseMarks('[[1,2],["x",3],[4]]')).toEqual([[1, 2]]);
  });
});
