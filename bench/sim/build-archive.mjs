// Bundles archive-bytes.ts (which imports the repo's own encoder and gzip) with the repo's esbuild, then runs it.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
export function runArchiveMeasurement() {
  const out = path.join(here, ".build", "archive-bytes.mjs");
  execFileSync(path.join(repo, "node_modules/.bin/esbuild"), [path.join(here, "archive-bytes.ts"), "--bundle", "--format=esm", "--platform=node", "--target=node20", "--log-level=warning", `--outfile=${out}`], { stdio: "inherit" });
  execFileSync(process.execPath, [out], { stdio: "inherit" });
}
