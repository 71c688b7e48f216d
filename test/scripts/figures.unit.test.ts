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
