#!/usr/bin/env node
// Patches miniflare's local Queue broker so one failed log call cannot stop a queue for good.
// Run by `postinstall` (npm install / npm ci), on whatever Node the machine has (Node 20 is fine).
//
// The bug (docs/upstream/miniflare-queue-broker-stall.md): QueueBrokerObject#flush awaits
// `logWithLevel` — a fetch to miniflare's loopback server in Node — after the consumer answers and
// before it clears `#pendingFlush`. When that fetch fails ("Network connection lost"), #flush throws,
// `#pendingFlush` stays set with `immediate: true` (max_batch_timeout = 0), #ensurePendingFlush
// returns early from then on, and the queue never dispatches again until the process restarts.
//
// The patch: the broker's log calls catch their own failure (a lost log line, not a lost queue), and
// #flush clears the pending flush it ran for in a `finally`, scheduling the next one if messages
// wait. It edits every copy of miniflare under node_modules that has the broker. It is idempotent
// (a patched file is recognised by its marker) and fails loudly when a copy has neither the marker
// nor the exact text it expects — after a miniflare upgrade, read the new broker and update or drop
// this patch rather than run without it.
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const MARKER = "statehouse-patch: queue-broker-flush";
const BROKER = join("dist", "src", "workers", "queues", "broker.worker.js");

// The exact upstream text the patch replaces (miniflare 5.20261103.0-beta's compiled broker).
const EXPECTED = `  #flush = async () => {
    let consumer = this.#maybeConsumer;
    assert(consumer !== void 0);`;

const REPLACEMENT = `  // ${MARKER} (Statehouse, scripts/patch-miniflare.mjs): a failed loopback log call must
  // not abort a flush; #flush clears the pending flush it ran for even when it throws.
  async logWithLevel(level, message) {
    try {
      await super.logWithLevel(level, message);
    } catch (e) {
      console.warn(\`miniflare queue broker: a log call failed (\${e instanceof Error ? e.message : String(e)}); the queue goes on\`);
    }
  }
  #flush = async () => {
    let flushing = this.#pendingFlush;
    try {
      await this.#flushBatch();
    } finally {
      if (this.#pendingFlush === flushing) {
        this.#pendingFlush = void 0;
        this.#messages.length > 0 && this.#ensurePendingFlush();
      }
    }
  };
  #flushBatch = async () => {
    let consumer = this.#maybeConsumer;
    assert(consumer !== void 0);`;

/** Every directory named miniflare (a package) under node_modules, nested copies included. */
function miniflareCopies(nodeModules) {
  const found = [];
  const walk = (dir, depth) => {
    if (depth > 6 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const pkgDir = join(dir, entry.name);
      if (entry.name.startsWith("@")) {
        for (const scoped of readdirSync(pkgDir, { withFileTypes: true })) {
          if (scoped.isDirectory()) walk(join(pkgDir, scoped.name, "node_modules"), depth + 1);
        }
        continue;
      }
      if (entry.name === "miniflare") found.push(pkgDir);
      walk(join(pkgDir, "node_modules"), depth + 1);
    }
  };
  walk(nodeModules, 0);
  return found;
}

const root = process.argv[2] ?? join(fileURLToPath(new URL(".", import.meta.url)), "..");
const nodeModules = join(root, "node_modules");
const copies = miniflareCopies(nodeModules);
let failed = false;
let withBroker = 0;
for (const dir of copies) {
  const file = join(dir, BROKER);
  const name = relative(root, file);
  if (!existsSync(file)) continue;
  withBroker++;
  const version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  const text = readFileSync(file, "utf8");
  if (text.includes(MARKER)) {
    console.log(`patch-miniflare: ${name} (miniflare ${version}) already patched`);
    continue;
  }
  const at = text.indexOf(EXPECTED);
  if (at < 0 || text.indexOf(EXPECTED, at + 1) >= 0) {
    console.error(`patch-miniflare: ${name} (miniflare ${version}): the queue broker's #flush is not the text this patch expects.`);
    console.error("  miniflare changed: check whether the flush still loses #pendingFlush when a log call fails");
    console.error("  (docs/upstream/miniflare-queue-broker-stall.md), then update or drop scripts/patch-miniflare.mjs.");
    failed = true;
    continue;
  }
  writeFileSync(file, text.slice(0, at) + REPLACEMENT + text.slice(at + EXPECTED.length));
  console.log(`patch-miniflare: patched ${name} (miniflare ${version})`);
}
if (copies.length === 0) {
  console.log(`patch-miniflare: no miniflare under ${nodeModules} (dev dependencies omitted?); nothing to patch`);
} else if (withBroker === 0) {
  console.error(`patch-miniflare: miniflare is installed but none of its copies has ${BROKER}: its layout changed;`);
  console.error("  find the queue broker and update scripts/patch-miniflare.mjs.");
  failed = true;
}
process.exit(failed ? 1 : 0);
