// A reader's position across partitions: today's decimal offsets with one, "a-b-c" with more, and clear refusals.
import { describe, expect, it } from "vitest";
import {
  advancePosition,
  formatLogPosition,
  formatLogStart,
  parseLogPosition,
  parseLogStart,
  positionBefore,
  startAfter,
} from "../../src/eventlog/log-position.js";
import { StatehouseError } from "../../src/errors.js";

function refusal(fn: () => unknown): StatehouseError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatehouseError) return e;
    throw e;
  }
  throw new Error("accepted");
}

describe("log positions", () => {
  it("with one partition is the plain decimal offset, both ways", () => {
    expect(formatLogPosition([15])).toBe("15");
    expect(parseLogPosition("15", 1)).toEqual([15]);
    expect(parseLogPosition("0", 1)).toEqual([0]);
  });

  it("with several partitions joins the offsets with '-' and reads them back", () => {
    for (const p of [[15, 0, 7], [0, 0], [9007199254740991, 1, 2, 3]]) {
      expect(parseLogPosition(formatLogPosition(p), p.length)).toEqual(p);
    }
    expect(formatLogPosition([15, 0, 7])).toBe("15-0-7");
  });

  it("reads a position from before partitions were added as nothing consumed of the new ones", () => {
    expect(parseLogPosition("15", 3)).toEqual([15, 0, 0]);
    expect(parseLogPosition("15-4", 3)).toEqual([15, 4, 0]);
  });

  it("refuses a longer vector, naming the expected form", () => {
    const e = refusal(() => parseLogPosition("1-2-3", 2, "offset"));
    expect(e.code).toBe("invalid_argument");
    expect(e.message).toContain("offset must be a log position: up to 2 whole numbers joined by \"-\"");
    expect(refusal(() => parseLogPosition("1-2", 1)).message).toContain("a whole number such as 15");
  });

  it("refuses anything that is not decimal components", () => {
    for (const text of ["", "-", "1-", "-1", "+1", " 1", "1.5", "1e3", "0x10", "abc", "1--2", "99999999999999999"]) {
      expect(refusal(() => parseLogPosition(text, 3)).code, text).toBe("invalid_argument");
    }
  });

  it("keeps an inclusive start apart from a position: a missing start component is 0, the oldest retained", () => {
    expect(parseLogStart("15", 1)).toEqual([15]);
    expect(parseLogStart("0", 1)).toEqual([0]);
    expect(parseLogStart("15", 3)).toEqual([15, 0, 0]);
    expect(formatLogStart([16, 1, 8])).toBe("16-1-8");
    expect(startAfter([15, 0, 7])).toEqual([16, 1, 8]);
    expect(positionBefore([16, 1, 8])).toEqual([15, 0, 7]);
    expect(positionBefore(startAfter(parseLogPosition("3-0", 2)))).toEqual([3, 0]);
  });

  it("advances one partition at a time and never backwards", () => {
    expect(advancePosition([3, 0, 7], 1, 5)).toEqual([3, 5, 7]);
    expect(advancePosition([3, 0, 7], 2, 6)).toEqual([3, 0, 7]);
  });
});
