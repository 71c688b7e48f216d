// Number formatting shared by the report's tables.

/** `x` with `d` decimals, or an en dash when unknown. */
export const f = (x: number | undefined, d = 2) => (x !== undefined && Number.isFinite(x) ? x.toFixed(d) : "–");

/** `x` rounded, with thousands separators, or an en dash when unknown. */
export const n0 = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
