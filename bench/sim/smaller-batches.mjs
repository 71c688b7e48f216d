#!/usr/bin/env node
// node bench/sim/smaller-batches.mjs: one partition on Cloudflare with max_batch_size below 100 (window 1 s,
// up to 250 consumers), where a full batch's deliveries (n × R calls over 6 connections) hold lag near 2 s.
// Writes bench/sim/results/smaller-batches.json.
import { writeFileSync } from "node:fs";
import os from "node:os";
import { simulate } from "./sim.mjs";
import { ASSUMED, CEILINGS } from "./cloud.mjs";

const rows = [];
for (const [rate, readSides, batchSize] of [[3125, 4, 100], [3125, 4, 50], [3125, 10, 100], [3125, 10, 25], [1563, 4, 50], [782, 4, 50]]) {
  const r = simulate({ machine: "cloud", rate, seconds: 4, entities: Math.round(1e7 / 128), pick: "zipf", zipf: 0, readSides, concurrency: 250, windowMs: 1000, batchSize, seed: 7, drainLimitS: 30, ...ASSUMED });
  rows.push({ rate, readSides, batchSize, lagP50Ms: Math.round(r.lagP50Ms), lagP99Ms: Math.round(r.lagP99Ms), messagesPerBatch: Math.round(r.messagesPerBatch * 10) / 10, storeRequestsPerS: Math.round(r.storeRequestsPerS), rowsPerEvent: Math.round(r.rowsPerEvent * 100) / 100, maxSubrequestsPerBatch: r.maxSubrequestsPerBatch, subrequestsOk: r.maxSubrequestsPerBatch <= CEILINGS.subrequestsPerInvocation });
}
console.table(rows);
writeFileSync(new URL("./results/smaller-batches.json", import.meta.url), JSON.stringify({ ranAt: new Date().toISOString(), loadavg: os.loadavg(), assumed: ASSUMED, rows }, null, 2) + "\n");
