// Ids merged from several partitions are ordered as SQLite orders them: UTF-8 bytes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareIds } from "../../src/partition/id-order.js";

const sign = (n: number) => Math.sign(n);
const utf8 = new TextEncoder();
/** memcmp of the UTF-8 encodings: SQLite's BINARY collation. */
function compareBytes(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

describe("compareIds", () => {
  it("orders an astral character after U+E000–U+FFFF, as UTF-8 does (JavaScript's < does not)", () => {
    const astral = "a\u{1F600}";
    const privateUse = "a\uE000";
    expect(astral < privateUse).toBe(true);
    expect(compareIds(astral, privateUse)).toBeGreaterThan(0);
  });

  it("agrees with a byte comparison of the UTF-8 encodings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        expect(sign(compareIds(a, b))).toBe(sign(compareBytes(a, b)));
      }),
      { seed: 20261207, numRuns: 2000 },
    );
  });
});
