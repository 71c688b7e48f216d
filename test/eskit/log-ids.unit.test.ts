// eskit's log ids with several partitions: what LogConsume stores for each kind of id.
import { describe, expect, it } from "vitest";
import { positionOfId, startOfFromId } from "../../src/eskit/log-ids.js";

describe("eskit log ids with 2 partitions", () => {
  it("reads a bare offset, an id from before partitions were added, as handled through that entry of partition 0", () => {
    expect(positionOfId("15", 2)).toBe("15-0");
    expect(startOfFromId("15", 2)).toBe("15-0");
  });

  it("reads an id with its partition as handled through the entry it names, and a start as handled up to just before it", () => {
    expect(positionOfId("16-8@1", 2)).toBe("15-8");
    expect(positionOfId("16-8", 2)).toBe("15-7");
  });

  it("keeps a bare offset as it is with one partition", () => {
    expect(positionOfId("15", 1)).toBe("15");
  });
});
