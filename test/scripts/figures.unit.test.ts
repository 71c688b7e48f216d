// The docs' figure tables are what bench/results/*.json render (npm run docs:figures), and the README's performance prose quotes none of its own.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderReport } from "../../bench/src/report.js";
import { FIGURE_DOCS, renderFigureBlocks } from "../../scripts/figures-docs.mjs";

const root = path.resolve(import.meta.dirname, "../..");
const read = (doc: string) => readFileSync(path.join(root, doc), "utf8");
const render = (text: string) => renderFigureBlocks(text, { root, renderReport });

describe("figures in the docs", () => {
  it.each(FIGURE_DOCS)("%s holds exactly the tables bench/results renders (else: npm run docs:figures)", (doc) => {
    const text = read(doc);
    expect(text).toContain("<!-- figures: ");
    expect(render(text)).toBe(text);
  });

  it("puts back a figure edited by hand", () => {
    const text = read("README.md");
    const edited = text.replace("| 337 / 329 cmd/s |", "| 338 / 329 cmd/s |");
    expect(edited).not.toBe(text);
    expect(render(edited)).toBe(text);
  });

  it.each([
    ["a before/after ratio", "docs/performance.md", "| 0.60, 0.67 | 0.66, 0.78, 0.59 | ≥ 0.8 |", "| 0.60, 0.67 | 0.66, 0.79, 0.59 | ≥ 0.8 |"],
    ["a Connect-router control ratio", "docs/performance.md", "| sb, 64 KB, workerd CPU/cmd | 2.16, 1.59, 2.03 |", "| sb, 64 KB, workerd CPU/cmd | 2.16, 1.59, 2.00 |"],
    ["a paired median", "docs/performance.md", "| 5.28 | 2.76 | 2.57 | 1.89 |", "| 5.28 | 2.76 | 2.57 | 1.98 |"],
    ["a load average", "docs/performance.md", "| 6.44 | 1.35 | 3.23 | 1.23 |", "| 6.44 | 1.35 | 3.23 | 1.32 |"],
    ["a pre-partition read-side lag", "docs/performance.md", "| 163 / 1,223; 166 / 1,236 |", "| 163 / 1,223; 166 / 1,263 |"],
    ["a W5 rate's D1 rows", "docs/performance.md", "| 200 | 996 | 64 | 412 |", "| 200 | 996 | 64 | 421 |"],
    ["a D1 headroom", "docs/performance.md", "| 2 | 2,528 | 2,796 |", "| 2 | 2,582 | 2,796 |"],
    ["a log-stream latency", "docs/performance.md", "| 4 / 25 | 23 / 358 |", "| 4 / 25 | 23 / 385 |"],
    ["a subscriber's receipt − reply", "docs/performance.md", "| −13.5 / −0.8; −12.1 / −0.6 |", "| −13.5 / −0.8; −12.1 / −0.7 |"],
    ["an S2 run's commit → receipt", "docs/performance.md", "| 8,660 / 15,463 |", "| 8,660 / 15,436 |"],
    ["an S3 cursor row count", "docs/performance.md", "| 0.777 / 0.896 |", "| 0.777 / 0.869 |"],
    ["a batch window's rows per event", "docs/scale.md", "| 1.064 (1.000 / 0.010 / 0.033 / 0.020) |", "| 1.064 (1.000 / 0.100 / 0.033 / 0.020) |"],
  ])("puts back %s in %s edited by hand", (_what, doc, cell, edited) => {
    const text = read(doc);
    const changed = text.replace(cell, edited);
    expect(changed).not.toBe(text);
    expect(render(changed)).toBe(text);
  });

  it.each(["ratios before=cmd-before-1", "medians runs=cmd-after-1", "d1-lag run=readside,latest"])("names a table block it cannot read: %s", (spec) => {
    expect(() => render(`<!-- figures: ${spec} -->\n<!-- /figures -->`)).toThrow(`cannot read block "${spec}"`);
  });

  it("names a section the bench does not render", () => {
    expect(() => render('<!-- figures: latest "W9 — no such workload" -->\n<!-- /figures -->')).toThrow('no section "W9 — no such workload"');
  });

  it("quotes no measured figure in the README's performance prose, only in generated tables", () => {
    const text = read("README.md");
    const section = text.slice(text.indexOf("## Performance\n"), text.indexOf("\n## ", text.indexOf("## Performance\n") + 1));
    const prose = section.replace(/<!-- figures: [\s\S]*?<!-- \/figures -->/g, "").replace(/`[^`]*`/g, "");
    expect(prose.match(/(?<![\w.])\d[\d,.]*\s*(?:cmd\/s|ms\b|s\b|events\/s|×|%|rows?\b)|\$\d/g) ?? []).toEqual([]);
  });
});
