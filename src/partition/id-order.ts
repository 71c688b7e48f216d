// The order partition stores keep ids in: SQLite compares TEXT as UTF-8 bytes (code point order).

/**
 * Compares two ids as SQLite's BINARY collation does (UTF-8 bytes, which is code point order), not
 * as JavaScript's `<` does (UTF-16 code units: an astral character would sort before U+E000–U+FFFF).
 * Pages merged from several partitions must use it, or `after` would skip or repeat ids.
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const surrogateX = x >= 0xd800 && x <= 0xdfff;
    const surrogateY = y >= 0xd800 && y <= 0xdfff;
    // A surrogate starts a code point past U+FFFF: after every other code unit.
    if (surrogateX !== surrogateY) return surrogateX ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
