// The install step patches miniflare's Queue broker (scripts/patch-miniflare.mjs): without it a
// failed loopback log call stops a local queue for good (docs/upstream/miniflare-queue-broker-stall.md).
// This checks that the copy each tool loads — wrangler dev, the Workers Vitest plugin, the bench's
// direct import — is the patched one, so an install that skipped `postinstall` fails here.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

function brokerOf(fromPackage: string): string {
  const require = createRequire(join(root, fromPackage));
  const entry = require.resolve("miniflare"); // …/miniflare/dist/src/index.js
  return join(dirname(entry), "workers", "queues", "broker.worker.js");
}

describe("miniflare's queue broker patch", () => {
  for (const from of ["package.json", "node_modules/wrangler/package.json", "node_modules/@cloudflare/vitest-plugin/package.json"]) {
    it(`is applied to the miniflare that ${from === "package.json" ? "the project (bench)" : from.split("/").slice(1, -1).join("/")} loads`, () => {
      const file = brokerOf(from);
      const text = readFileSync(file, "utf8");
      const unpatched = `${file} is not patched: run \`node scripts/patch-miniflare.mjs\` (npm install runs it)`;
      expect(text.includes("statehouse-patch: queue-broker-flush"), unpatched).toBe(true);
      // the flush clears its pending state in a finally, and log calls cannot throw out of it
      expect(/#flush = async \(\) => \{\s*let flushing = this\.#pendingFlush;\s*try \{\s*await this\.#flushBatch\(\);\s*\} finally \{/.test(text), unpatched).toBe(true);
      expect(/async logWithLevel\(level, message\) \{\s*try \{\s*await super\.logWithLevel/.test(text), unpatched).toBe(true);
    });
  }
});
