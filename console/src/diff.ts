// A diff of two JSON values as the paths whose values differ (what a state change touched).

/** One changed path: its value before (undefined: absent) and after. */
export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

/** The leaves of `a` and `b` that differ, by JSON path (`balance`, `tags[1]`). */
export function diffJson(a: unknown, b: unknown): Change[] {
  const left = flatten(a);
  const right = flatten(b);
  const out: Change[] = [];
  for (const path of new Set([...left.keys(), ...right.keys()])) {
    const before = left.get(path);
    const after = right.get(path);
    if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: path || "(whole value)", before, after });
  }
  return out.sort((x, y) => x.path.localeCompare(y.path));
}

function flatten(v: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(v) && v.length > 0) v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, out));
  else if (v !== null && typeof v === "object" && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix === "" ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, v);
  return out;
}
