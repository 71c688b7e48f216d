// Plain-text tables for the CLI: aligned columns, a header row, nothing fancy.

/**
 * Formats rows as an aligned table with the given columns.
 * @param {Record<string, unknown>[]} rows
 * @param {string[]} columns
 * @returns {string}
 */
export function formatTable(rows, columns) {
  if (rows.length === 0) return "(none)";
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values) => values.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join("\n");
}

/**
 * Formats one object as "key  value" lines.
 * @param {Record<string, unknown>} obj
 * @returns {string}
 */
export function formatRecord(obj) {
  const width = Math.max(...Object.keys(obj).map((k) => k.length));
  return Object.entries(obj)
    .map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`)
    .join("\n");
}

/** @param {unknown} v */
function cell(v) {
  if (v === null || v === undefined) return "-";
  if (Array.isArray(v)) return v.length === 0 ? "-" : v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(",");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}
