// The console's wait format.
import { describe, expect, it } from "vitest";
import { waited } from "../../console/src/ui/duration.js";

describe("waited", () => {
  it("reads as the two largest units, and a dash when nothing waits", () => {
    expect(waited(null)).toBe("—");
    expect(waited(0)).toBe("0 s");
    expect(waited(42)).toBe("42 s");
    expect(waited(185)).toBe("3 min 5 s");
    expect(waited(7_380)).toBe("2 h 3 min");
    expect(waited(3_600)).toBe("1 h");
    expect(waited(352_800)).toBe("4 d 2 h");
  });
});
