// The command-path comparison tables of docs/performance.md (issue 8 and its follow-up), rendered from several bench result files side by side.

const f = (x, d = 2) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));

/** The W1 row of `system` at `bytes`, one in flight or concurrent. */
function w1(result, system, bytes, sequential) {
  const row = result.rows.find((x) => x.workload === "W1" && x.system === system && x.payloadBytes === bytes && (x.concurrency === 1) === sequential);
  if (row === undefined) throw new Error(`figures: no W1 row "${system}", ${bytes} B, ${sequential ? "1 in flight" : "concurrent"} in ${result.startedAt}`);
  return row;
}

/** `system` ÷ `base` in one run, to two places as the bench prints it (bench/src/report.ts). */
function ratio(result, system, base, bytes, measure) {
  const [field, sequential] = { seq: ["perSecond", true], con: ["perSecond", false], cpu: ["workerdCpuMs", true], cpuCon: ["workerdCpuMs", false] }[measure];
  return f(w1(result, system, bytes, sequential)[field] / w1(result, base, bytes, sequential)[field]);
}

const size = (bytes) => (bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} B`);
const sizes = (result) => [result.plan.smallBytes, result.plan.largeBytes];

/** Issue 8's targets for Statehouse ÷ B4X2: goals set by hand, not measured. */
const TARGETS = { seq: "≥ 0.8", con: "≥ 0.9", cpu: "≤ 1.25" };

/**
 * Statehouse ÷ B4X2 in the same run, each cell listing every run of its group in the order given.
 * @param {any[]} before result files before the change
 * @param {any[]} after result files after it
 * @returns {string}
 */
export function ratiosTable(before, after) {
  const lines = [`| measure | before (${before.length} runs) | after (${after.length} runs) | target |`, "|---|---|---|---|"];
  const labels = { seq: "cmd/s 1 in flight", con: `cmd/s ${before[0].plan.w1Concurrency} in flight`, cpu: "workerd CPU/cmd" };
  for (const bytes of sizes(before[0])) {
    for (const transport of ["sb", "http"]) {
      for (const measure of ["seq", "con", "cpu"]) {
        const cell = (runs) => runs.map((r) => ratio(r, `Statehouse ${transport}`, `B4X2 ${transport}`, bytes, measure)).join(", ");
        lines.push(`| ${transport}, ${size(bytes)}, ${labels[measure]} | ${cell(before)} | ${cell(after)} | ${TARGETS[measure]} |`);
      }
    }
  }
  return lines.join("\n");
}

/**
 * The old path measured in the same runs: "Statehouse sb (Connect router)" ÷ B4X2 sb, one in flight.
 * @param {any[]} runs result files that measured it
 * @returns {string}
 */
export function routerTable(runs) {
  const lines = [`| measure | Statehouse sb (Connect router) ÷ B4X2 sb (${runs.length} runs) |`, "|---|---|"];
  for (const bytes of sizes(runs[0])) {
    for (const [measure, label] of [["seq", "cmd/s 1 in flight"], ["cpu", "workerd CPU/cmd"]]) {
      lines.push(`| sb, ${size(bytes)}, ${label} | ${runs.map((r) => ratio(r, "Statehouse sb (Connect router)", "B4X2 sb", bytes, measure)).join(", ")} |`);
    }
  }
  return lines.join("\n");
}

/**
 * One column per run: the paired latency gap to B4X2, CPU ratios one at a time / concurrent, and
 * the load average the run ended with. Columns are named by the file name less the prefix all share.
 * @param {Record<string, any>} runs result files by name, in column order
 * @returns {string}
 */
export function pairedTable(runs) {
  const names = Object.keys(runs);
  const prefix = /^(.*-)?/.exec(commonPrefix(names))[1] ?? "";
  const all = Object.values(runs);
  const row = (label, cell) => `| ${label} | ${all.map(cell).join(" | ")} |`;
  const lines = [`| measure | ${names.map((n) => n.slice(prefix.length)).join(" | ")} |`, `|---|${names.map(() => "--:").join("|")}|`];
  for (const bytes of sizes(all[0])) {
    lines.push(row(`paired Statehouse sb − B4X2 sb, ${size(bytes)}, median ms`, (r) => f(paired(r, "B4X2 sb", bytes).diffP50Ms)));
  }
  const con = all[0].plan.w1Concurrency;
  let first = true;
  for (const bytes of sizes(all[0])) {
    for (const transport of ["sb", "http"]) {
      const label = `${transport}, ${size(bytes)}, CPU/cmd ÷ B4X2${first ? ` (1 / ${con} in flight)` : ""}`;
      first = false;
      lines.push(row(label, (r) => ["cpu", "cpuCon"].map((m) => ratio(r, `Statehouse ${transport}`, `B4X2 ${transport}`, bytes, m)).join(" / ")));
    }
  }
  lines.push(row("load average at the end (1 min)", (r) => f(endLoad(r))));
  return lines.join("\n");
}

function paired(result, b, bytes) {
  const x = (result.paired ?? []).find((p) => p.a === "Statehouse sb" && p.b === b && p.payloadBytes === bytes);
  if (x === undefined) throw new Error(`figures: no paired Statehouse sb − ${b}, ${bytes} B in ${result.startedAt}`);
  return x;
}

/** The 1-minute load average of the bench's "end: 1, 5, 15" entry. */
function endLoad(result) {
  const end = (result.loadAverages ?? []).find((l) => l.startsWith("end:"));
  return Number(/:\s*([\d.]+)/.exec(end ?? "")?.[1]);
}

function commonPrefix(names) {
  return names.reduce((p, n) => {
    let i = 0;
    while (i < p.length && p[i] === n[i]) i += 1;
    return p.slice(0, i);
  });
}
