// A cursor's JSON in an entity row: short keys, defaults left out, round trips, and another generation reading as none.
import { describe, expect, it } from "vitest";
import { type StoredCursor, decodeCursor, encodeCursor, parseCursors } from "../../src/partition/cursor-codec.js";

const ok: StoredCursor = { generation: "g1", epoch: 0, revision: 7, status: "ok", attempts: 0, retryAt: 0, restartedAt: 0, failedRevision: 0, lastError: null, updatedAt: 123 };

describe("the cursor codec", () => {
  it("keeps a healthy cursor to its generation, revision and time", () => {
    expect(encodeCursor(ok)).toEqual({ g: "g1", r: 7, u: 123 });
    expect(decodeCursor(encodeCursor(ok), "g1")).toEqual(ok);
  });

  it("round-trips a failing cursor with everything an operator sees", () => {
    const failing: StoredCursor = { ...ok, epoch: 2, status: "retrying", attempts: 3, retryAt: 999, restartedAt: 50, failedRevision: 8, lastError: "unavailable: down" };
    expect(decodeCursor(encodeCursor(failing), "g1")).toEqual(failing);
  });

  it("cuts a long error to what an operator needs", () => {
    const json = encodeCursor({ ...ok, status: "stopped", lastError: "x".repeat(5000) });
    expect(json.m).toHaveLength(2000);
  });

  it("reads a cursor of another generation (a deleted or restarted read side's) as none", () => {
    expect(decodeCursor(encodeCursor(ok), "g2")).toBeUndefined();
    expect(decodeCursor(undefined, "g1")).toBeUndefined();
  });

  it("reads a row's JSON object, and anything else as no cursors", () => {
    expect(parseCursors('{"a":{"g":"x","r":1,"u":0}}')).toEqual({ a: { g: "x", r: 1, u: 0 } });
    expect(parseCursors("[]")).toEqual({});
    expect(parseCursors("null")).toEqual({});
  });
});
