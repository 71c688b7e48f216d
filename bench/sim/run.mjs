#!/usr/bin/env node
// node bench/sim/run.mjs [--calibration=FILE] [--archive] [--quick]
//
// 1. Calibrates the local model from a bench run's W5 steps (default: the newest
//    bench/results/partitions-N.json with the highest N, else bench/results/readside.json)
//    and prints measured against predicted W5.
// 2. Predicts one partition on Cloudflare at the sizes of docs/scale-model.md, and for K = 1, 2, 4 … 128
//    partitions says which ceiling breaks first.
// 3. Prices each size (list prices in cost.mjs).
// Writes bench/sim/results/{calibration,predictions,costs}.json. --archive also re-measures the archive's
// compressed bytes per entry with the repo's encoder (results/archive-bytes.json). No dependencies.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { check, commandCpuMs, fit, loadW5 } from "./calibrate.mjs";
import { ASSUMED, CEILINGS, entityRowBytes, imbalance, partitionAt, topShare } from "./cloud.mjs";
import { PRICES, monthlyCost, cosMonthlyCost } from "./cost.mjs";
import { rng } from "./sim.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const args = process.argv.slice(2);
const arg = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes("--quick");
const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);
const r1 = (v) => Math.round(v * 10) / 10;
const write = (name, data) => writeFileSync(path.join(here, "results", name), JSON.stringify(data, null, 2) + "\n");

if (args.includes("--archive") || !existsSync(path.join(here, "results/archive-bytes.json"))) {
  const { runArchiveMeasurement } = await import("./build-archive.mjs");
  runArchiveMeasurement();
}
const archive = JSON.parse(readFileSync(path.join(here, "results/archive-bytes.json"), "utf8"));

// ---- 1. calibration ----
function defaultCalibration() {
  // The newest W5 measured against the partitions design (the highest partitions-N), else the one before it.
  const dir = path.join(repo, "bench/results");
  const number = (f) => Number(/^partitions-(\d+)\.json$/.exec(f)?.[1] ?? -1);
  const files = readdirSync(dir)
    .filter((f) => number(f) >= 0)
    .filter((f) => {
      try {
        return Array.isArray(JSON.parse(readFileSync(path.join(dir, f), "utf8")).maxRate);
      } catch {
        return false;
      }
    })
    .sort((a, b) => number(b) - number(a));
  return path.join(dir, files[0] ?? "readside.json");
}
const costsOnly = args.includes("--costs-only");
const calFile = arg("calibration") ?? defaultCalibration();
const cmdFile = arg("command-cpu") ?? path.join(repo, "bench/results/latest.json");
let fitted;
let sizing;
if (costsOnly) {
  fitted = { costs: JSON.parse(readFileSync(path.join(here, "results/calibration.json"), "utf8")).costs };
  sizing = JSON.parse(readFileSync(path.join(here, "results/predictions.json"), "utf8")).sizing;
} else {
console.log(`calibration: ${calFile} (load average now ${load().join(", ")})`);
const data = loadW5(calFile);
const cmd = commandCpuMs(cmdFile);
fitted = fit(data, cmd.cpuMs, console.log);
const checked = check(data, fitted.costs);
console.log("\nW5, one partition on this machine: measured against predicted");
console.log("read sides | measured W5 (bracket) | predicted W5 (same ladder) | predicted limit | error of limit vs. measured W5");
for (const c of checked) {
  const err = c.measuredW5 ? (c.predictedLimit - c.measuredW5) / c.measuredW5 : NaN;
  c.limitVsMeasuredW5 = r1(err * 100);
  c.ladderError = c.measuredW5 && c.predictedW5 ? r1(((c.predictedW5 - c.measuredW5) / c.measuredW5) * 100) : null;
  console.log(`${c.readSides} | ${c.measuredW5} [${c.measuredBracket.join(", ")}) | ${c.predictedW5} | ${Math.round(c.predictedLimit)} | ${c.limitVsMeasuredW5} %`);
}
write("calibration.json", {
  what: "local model (one workerd JavaScript thread shared by the write side and the consumer; Miniflare hands a queue one batch at a time) fitted to a bench run's W5 batch counts and committed rates, then checked on W5 and lag",
  source: { w5: calFile, startedAt: data.startedAt, machine: data.machine, loadDuringRun: data.load ?? "not recorded in the file", commandCpu: { file: cmdFile, ...cmd } },
  ranAt: new Date().toISOString(),
  loadavgWhileFitting: load(),
  costs: Object.fromEntries(Object.entries(fitted.costs).map(([k, v]) => [k, Math.round(v * 1000) / 1000])),
  loss: fitted.loss,
  check: checked,
});

// ---- 2. Cloudflare: one partition, then K partitions at each size ----
const ZIPF = 0; // partitions sized on uniform load; the hot entity is a separate ceiling (below)
const HOT_ZIPF = [0.8, 1.0];
const CONFIGS = [
  { name: "window 1 s, up to 250 consumers", concurrency: 250, windowMs: 1000 },
  { name: "window 0 (the default), up to 250 consumers", concurrency: 250, windowMs: 0 },
  { name: "window 1 s, 20 consumers", concurrency: 20, windowMs: 1000 },
];
const SIZES = [];
for (const rate of [1000, 10_000, 100_000]) for (const entities of [10_000_000, 1_000_000_000]) for (const readSides of quick ? [1, 10] : [1, 4, 10]) SIZES.push({ rate, entities, readSides });
const KS = [1, 2, 4, 8, 16, 32, 64, 128];
const LOG_HOT_MAX = 5_000_000; // STATEHOUSE_LOG_HOT_MAX_ENTRIES (wrangler.toml)
const logEntryBytes = archive.rows.find((r) => r.payload === "json" && r.entities === 1_000_000).rawBytesPerEntry;

function partitionVerdict(size, K, config) {
  const shards = Math.max(16, K);
  const imb = imbalance(K, shards, size.entities, ZIPF, rng(K));
  const rate = (size.rate / K) * imb;
  const storage = (size.entities / K) * imb * entityRowBytes(size.readSides) + LOG_HOT_MAX * logEntryBytes;
  const breaks = [];
  if (storage > CEILINGS.doStorageBytes) breaks.push(`partition store ${r1(storage / 1e9)} GB > 10 GB`);
  let sim;
  if (rate > CEILINGS.queueMessagesPerS) breaks.push(`queue ${Math.round(rate)} msg/s > ${CEILINGS.queueMessagesPerS}`);
  else {
    sim = partitionAt(rate, { readSides: size.readSides, entities: Math.round(size.entities / K), zipf: ZIPF, concurrency: config.concurrency, windowMs: config.windowMs, seconds: quick ? 3 : 4 });
    breaks.push(...sim.breaks);
  }
  return {
    K,
    shards,
    imbalance: Math.round(imb * 100) / 100,
    partitionRate: Math.round(rate),
    storageGB: r1(storage / 1e9),
    lagP50Ms: sim ? Math.round(sim.lagP50Ms) : null,
    lagP99Ms: sim ? Math.round(sim.lagP99Ms) : null,
    messagesPerS: sim ? Math.round(sim.messagesPerS) : Math.round(rate),
    messagesPerBatch: sim ? r1(sim.messagesPerBatch) : null,
    storeRequestsPerS: sim ? Math.round(sim.storeRequestsPerS) : null,
    storeRowsWrittenPerS: sim ? Math.round(sim.rowsWrittenPerS) : null,
    rowsPerEvent: sim ? Math.round(sim.rowsPerEvent * 100) / 100 : null,
    maxSubrequestsPerBatch: sim ? sim.maxSubrequestsPerBatch : null,
    ok: breaks.length === 0,
    breaks,
  };
}

console.log(`\nCloudflare, per size: the smallest K (power of 2) whose busiest partition passes every ceiling (uniform entities; assumptions in cloud.mjs ASSUMED)`);
sizing = [];
for (const size of SIZES) {
  const row = {
    ...size,
    hotEntity: HOT_ZIPF.map((s) => ({ zipf: s, topEntityPerS: Math.round(size.rate * topShare(size.entities, s)) })),
    entityWriteCapPerS: Math.round(1000 / ASSUMED.commandMs),
    entityDeliveryCapPerS: Math.round(1000 / ASSUMED.webhookMs),
    configs: [],
  };
  // The smallest K at which one of the first two configurations (window 1 s or 0, 250 consumers) holds.
  const tried = [];
  let chosen;
  for (const K of KS) {
    for (const config of CONFIGS.slice(0, 2)) {
      const v = { config: config.name, ...partitionVerdict(size, K, config) };
      tried.push(v);
      if (v.ok) {
        chosen = v;
        break;
      }
    }
    if (chosen) break;
  }
  row.configs.push({ config: chosen?.config ?? CONFIGS[0].name, K: chosen?.K ?? null, at: chosen ?? null, firstBreak: tried[0].breaks[0] ?? null, tried });
  // With fewer consumers (20) at that K.
  const K0 = chosen?.K ?? 128;
  const few = partitionVerdict(size, K0, CONFIGS[2]);
  row.configs.push({ config: CONFIGS[2].name, K: K0, at: few, firstBreak: few.breaks[0] ?? null, tried: [few] });
  sizing.push(row);
  const c = row.configs[0];
  console.log(
    `${size.rate}/s ${size.entities.toExponential(0)} entities ${size.readSides} read sides: K=${c.K ?? ">128"} [${c.config}] (${c.at ? `${c.at.partitionRate}/s per partition, lag p99 ${c.at.lagP99Ms} ms, store ${c.at.storeRequestsPerS} req/s, ${c.at.storeRowsWrittenPerS} rows/s, ${c.at.storageGB} GB` : c.tried.at(-1).breaks.join("; ")}); K=1 breaks on: ${c.firstBreak ?? "nothing"}; hot entity (Zipf 0.8/1.0) ${row.hotEntity.map((h) => h.topEntityPerS).join("/")} ev/s vs ~${row.entityWriteCapPerS}/s writes and ~${row.entityDeliveryCapPerS}/s deliveries per read side`,
  );
}

// The K series for the middle size (10K events/s, 10 M entities, 4 read sides), every K.
const ref = { rate: 10_000, entities: 10_000_000, readSides: 4 };
const series = KS.map((K) => partitionVerdict(ref, K, CONFIGS[0]));
console.log(`\nK series at ${ref.rate}/s, ${ref.entities} entities, ${ref.readSides} read sides (${CONFIGS[0].name})`);
console.log("K | per partition ev/s | msgs/s | lag p99 ms | store req/s | rows/s | GB | breaks");
for (const v of series) console.log(`${v.K} | ${v.partitionRate} | ${v.messagesPerS} | ${v.lagP99Ms ?? "–"} | ${v.storeRequestsPerS ?? "–"} | ${v.storeRowsWrittenPerS ?? "–"} | ${v.storageGB} | ${v.breaks.join("; ") || "none"}`);

write("predictions.json", {
  what: "one partition simulated on Cloudflare (machine 'cloud' of sim.mjs) at each size, K from 1 up until every ceiling holds",
  ranAt: new Date().toISOString(),
  loadavg: load(),
  zipf: ZIPF,
  ceilings: CEILINGS,
  assumed: ASSUMED,
  entityRowBytes: Object.fromEntries([1, 4, 10].map((R) => [R, entityRowBytes(R)])),
  logEntryBytes: { raw: logEntryBytes, source: "results/archive-bytes.json (json payload)" },
  configs: CONFIGS,
  sizing,
  series: { size: ref, config: CONFIGS[0].name, rows: series },
});

}
// ---- 3. cost ----
const costs = [];
console.log("\nMonthly cost at list prices (cost.mjs), K from the sizing above (window 1 s)");
console.log("events/s | entities | read sides | K | Statehouse $/month | of which storage growth | CoS on AWS $/month");
for (const row of sizing) {
  const at = row.configs[0].at;
  const K = row.configs[0].K ?? 128;
  // As simulated at the chosen setting, and with full batches (window 1 s, 100 messages, the cheapest setting).
  const sh = monthlyCost({ rate: row.rate, entities: row.entities, readSides: row.readSides, K, rowsPerEvent: at?.rowsPerEvent ?? 1.0, messagesPerBatch: at?.messagesPerBatch ?? 100, cal: fitted.costs, archive });
  const full = monthlyCost({ rate: row.rate, entities: row.entities, readSides: row.readSides, K, rowsPerEvent: 1.01, messagesPerBatch: 100, cal: fitted.costs, archive });
  const cos = cosMonthlyCost({ rate: row.rate, entities: row.entities, readSides: row.readSides });
  costs.push({ rate: row.rate, entities: row.entities, readSides: row.readSides, K, setting: row.configs[0].config, statehouse: sh, statehouseFullBatches: full, cos });
  console.log(`${row.rate} | ${row.entities.toExponential(0)} | ${row.readSides} | ${K} | ${Math.round(sh.total)} (full batches ${Math.round(full.total)}) | ${Math.round(sh.lines.storageGrowth)} | ${Math.round(cos.total)}`);
}
write("costs.json", { what: "monthly cost (30 days) at list prices; every assumption in cost.mjs", ranAt: new Date().toISOString(), prices: PRICES, rows: costs });
