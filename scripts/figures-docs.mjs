// Renders every figure table in the docs (FIGURE_DOCS) from bench result files, between marker comments.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pairedTable, ratiosTable, routerTable } from "./figures-command-path.mjs";
import { d1HeadroomTable, d1LagTable, d1MaxRateTable, windowsTable } from "./figures-read-side.mjs";
import { logRowsTable, logStreamD1Table, logStreamRunsTable, subscribersTable } from "./figures-streams.mjs";
import { runsTable, summaryTable } from "./figures-summary.mjs";

/** The documents whose figure blocks are generated. */
export const FIGURE_DOCS = ["README.md", "docs/performance.md", "docs/scale.md"];

/**
 * A generated block: `<!-- figures: NAME -->` … `<!-- /figures -->`, NAME being `summary`, `runs`,
 * or a result file and the heading of one section the bench renders for it, e.g.
 * `latest "W2 scaling"` (the first `### ` heading starting with that text, up to the next one),
 * or a table the bench does not print, `KIND key=value …`, result files named without `.json`,
 * cells listing several files in the order given:
 * - `ratios before=A,B after=C,D,E`: Statehouse ÷ B4X2 (cmd/s and workerd CPU), before and after a change;
 * - `router runs=C,D,E`: "Statehouse sb (Connect router)" ÷ B4X2 sb in the runs that measured it;
 * - `paired runs=A,B,C,D`: one column per file: paired latency gap to B4X2, CPU ratios, load average
 *   (these three: scripts/figures-command-path.mjs);
 * - `windows run=A rates=50,200`: W4 of a partitioned run by batch window, at the rates given;
 * - `d1-lag run=A`, `d1-max-rate run=A`, `d1-headroom run=A`: W4, W5 and the D1 headroom of a run
 *   from before partitions (these four: scripts/figures-read-side.mjs);
 * - `log-stream-d1 run=A`: S2 of a run from before partitions;
 * - `subscribers runs=A,B`, `log-stream-runs runs=A,B`, `log-rows runs=A,B`: S1, S2 and S3 of
 *   several runs, called A, B … in the order given (these four: scripts/figures-streams.mjs).
 */
const BLOCK = /(<!-- figures: (.+?) -->\n)([\s\S]*?)(<!-- \/figures -->)/g;

/**
 * Replaces each block's content with what its result files render.
 * @param {string} text the document
 * @param {{ root: string, renderReport: (r: any) => { markdown: string } }} o the checkout and the bench's renderer (bench/src/report.ts)
 * @returns {string}
 */
export function renderFigureBlocks(text, o) {
  const results = new Map();
  const load = (name) => {
    if (!results.has(name)) results.set(name, JSON.parse(readFileSync(path.join(o.root, "bench/results", `${name}.json`), "utf8")));
    return results.get(name);
  };
  const all = () => new Proxy({}, { get: (_t, name) => load(String(name)) });
  return text.replace(BLOCK, (_m, open, spec, _old, close) => {
    let body;
    if (spec === "summary") body = summaryTable(all());
    else if (spec === "runs") body = runsTable(all());
    else if (/^[\w-]+ \w+=/.test(spec)) body = table(spec, load);
    else {
      const m = /^([\w-]+) "(.+)"$/.exec(spec);
      if (m === null) throw new Error(`figures: cannot read block "${spec}" (want summary, runs, FILE "Heading" or KIND key=value …)`);
      body = section(bench(load(m[1]), o.renderReport), m[2], spec);
    }
    return `${open}${body}\n${close}`;
  });
}

/** The tables of `KIND key=value …` blocks, from the block's arguments. */
const TABLES = {
  ratios: (a) => ratiosTable(a.runs("before"), a.runs("after")),
  router: (a) => routerTable(a.runs("runs")),
  paired: (a) => pairedTable(Object.fromEntries(a.list("runs").map((name) => [name, a.load(name)]))),
  windows: (a) => windowsTable(a.run("run"), a.list("rates").map(Number)),
  "d1-lag": (a) => d1LagTable(a.run("run")),
  "d1-max-rate": (a) => d1MaxRateTable(a.run("run")),
  "d1-headroom": (a) => d1HeadroomTable(a.run("run")),
  "log-stream-d1": (a) => logStreamD1Table(a.run("run")),
  subscribers: (a) => subscribersTable(a.runs("runs")),
  "log-stream-runs": (a) => logStreamRunsTable(a.runs("runs")),
  "log-rows": (a) => logRowsTable(a.runs("runs")),
};

function table(spec, load) {
  const [kind, ...args] = spec.split(" ");
  const values = Object.fromEntries(args.map((x) => /^(\w+)=([\w,-]+)$/.exec(x)?.slice(1) ?? fail(spec)).map(([k, v]) => [k, v.split(",")]));
  const list = (key) => values[key] ?? fail(spec);
  const render = Object.hasOwn(TABLES, kind) ? TABLES[kind] : fail(spec);
  const run = (key) => (list(key).length === 1 ? load(list(key)[0]) : fail(spec));
  return render({ list, load, run, runs: (key) => list(key).map(load) });
}

function fail(spec) {
  throw new Error(`figures: cannot read block "${spec}" (want e.g. ratios before=A,B after=C,D)`);
}

/**
 * The bench's own Markdown for a result file. Only the sections of the command-path workloads are
 * taken from files written by older bench versions, whose read-side fields the renderer no longer
 * reads: those fields are left out here, which changes no other section.
 */
function bench(result, renderReport) {
  const r = Array.isArray(result.lag) && result.lag.some((l) => l.central === undefined) ? { ...result, lag: { pending: "not rendered" } } : result;
  return renderReport(r).markdown;
}

/** The `### ` section of `markdown` whose heading starts with `heading`, without trailing blank lines. */
function section(markdown, heading, spec) {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`### ${heading}`));
  if (start < 0) throw new Error(`figures: no section "${heading}" in the bench's report for ${spec}`);
  let end = lines.findIndex((l, i) => i > start && l.startsWith("### "));
  if (end < 0) end = lines.length;
  const out = lines.slice(start, end);
  while (out.length > 0 && out[out.length - 1]?.trim() === "") out.pop();
  return out.join("\n");
}
