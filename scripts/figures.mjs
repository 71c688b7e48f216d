// npm run docs:figures [-- --check]: renders the figure tables of the docs (FIGURE_DOCS) from bench/results/*.json.
//
// The bench's own renderer (bench/src/report.ts, the one that writes bench/results/*.md) is bundled
// with esbuild and run here, so a table in the docs is exactly what the bench prints for that file;
// the tables it does not print are rendered by scripts/figures-command-path.mjs and figures-read-side.mjs.
// --check writes nothing and fails if a document differs from what it would render.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { FIGURE_DOCS, renderFigureBlocks } from "./figures-docs.mjs";

const root = path.resolve(import.meta.dirname, "..");
const outfile = path.join(root, "node_modules/.cache/statehouse-figures/report.mjs");
await build({ entryPoints: [path.join(root, "bench/src/report.ts")], bundle: true, outfile, platform: "node", format: "esm", packages: "external", logLevel: "error" });
const { renderReport } = await import(pathToFileURL(outfile).href);

const check = process.argv.includes("--check");
let stale = 0;
for (const doc of FIGURE_DOCS) {
  const file = path.join(root, doc);
  const before = readFileSync(file, "utf8");
  const after = renderFigureBlocks(before, { root, renderReport });
  if (after === before) continue;
  if (check) {
    stale += 1;
    console.error(`figures: ${doc} differs from what bench/results renders (run npm run docs:figures)`);
  } else {
    writeFileSync(file, after);
    console.log(`figures: rewrote ${doc}`);
  }
}
process.exit(stale === 0 ? 0 : 1);
