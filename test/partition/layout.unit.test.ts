// Who owns a shard across resizes, and from whom a partition takes it over.
import { describe, expect, it } from "vitest";
import { ownerOf, successionOf } from "../../src/partition/layout.js";

describe("partition layouts", () => {
  it("with one layout every partition has always held its shards and takes nothing over", () => {
    expect(successionOf([4], 6, 2)).toEqual({ kind: "always" });
    expect(successionOf([4], 6, 1)).toEqual({ kind: "none" });
  });

  it("going from 1 to 2 partitions, odd shards move to partition 1 and even ones stay", () => {
    expect(successionOf([1, 2], 3, 1)).toEqual({ kind: "from", partition: 0, version: 2 });
    expect(successionOf([1, 2], 4, 0)).toEqual({ kind: "always" });
    expect(successionOf([1, 2], 3, 0)).toEqual({ kind: "none" });
  });

  it("a shard that comes back to a partition is taken over from the one that held it in between", () => {
    // 2 → 3 → 4 partitions: shard 4 is at 0, then 1, then 0 again.
    expect([2, 3, 4].map((k) => ownerOf(4, k))).toEqual([0, 1, 0]);
    expect(successionOf([2, 3, 4], 4, 0)).toEqual({ kind: "from", partition: 1, version: 3 });
    // …and partition 1, asked for it as of version 2, took it from 0 then.
    expect(successionOf([2, 3, 4], 4, 1, 2)).toEqual({ kind: "from", partition: 0, version: 2 });
  });
});
