#!/usr/bin/env node
// node bench/sim/tables.mjs: the Markdown tables of docs/scale-model.md, from bench/sim/results/*.json.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { archivePerMillion } from "./cost.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const read = (f) => JSON.parse(readFileSync(path.join(here, "results", f), "utf8"));
const cal = read("calibration.json");
const pred = read("predictions.json");
const costs = read("costs.json");
const archive = read("archive-bytes.json");
const n = (v) => (v === null || v === undefined ? "–" : typeof v === "number" ? v.toLocaleString("en-US") : v);
const sci = (v) => (v >= 1e9 ? `${v / 1e9} B` : `${v / 1e6} M`);

console.log("### Calibration\n");
console.log("| read sides | measured W5 (next step unbounded) | predicted W5, same ladder | predicted limit (bisection) |");
console.log("|--:|--:|--:|--:|");
for (const c of cal.check) console.log(`| ${c.readSides} | ${c.measuredW5} (${c.measuredBracket[1]}) | ${c.predictedW5} | ${Math.round(c.predictedLimit)} |`);
console.log("\n| read sides | offered /s | messages per batch: measured / predicted | batches: measured / predicted | committed /s: measured / predicted | lag p99 ms: measured / predicted | bounded: measured / predicted |");
console.log("|--:|--:|--:|--:|--:|--:|--|");
for (const c of cal.check)
  for (const s of c.steps)
    console.log(`| ${c.readSides} | ${s.rate} | ${s.measured.messagesPerBatch} / ${s.predicted.messagesPerBatch} | ${s.measured.batches} / ${s.predicted.batches} | ${s.measured.committed} / ${s.predicted.committed} | ${n(s.measured.lagP99Ms)} / ${n(s.predicted.lagP99Ms)} | ${s.measured.bounded ? "yes" : "no"} / ${s.predicted.bounded ? "yes" : "no"} |`);

console.log(`\n### K series (${pred.series.size.rate.toLocaleString("en-US")} events/s, ${sci(pred.series.size.entities)} entities, ${pred.series.size.readSides} read sides, ${pred.series.config})\n`);
console.log("| K | events/s of the busiest partition | queue msgs/s | msgs per batch | lag p50 / p99 ms | store req/s | store rows written/s | store GB | breaks |");
console.log("|--:|--:|--:|--:|--:|--:|--:|--:|---|");
for (const v of pred.series.rows)
  console.log(`| ${v.K} | ${n(v.partitionRate)} | ${n(v.messagesPerS)} | ${n(v.messagesPerBatch)} | ${n(v.lagP50Ms)} / ${n(v.lagP99Ms)} | ${n(v.storeRequestsPerS)} | ${n(v.storeRowsWrittenPerS)} | ${v.storageGB} | ${v.breaks.join("; ") || "none"} |`);

console.log("\n### Sizes\n");
console.log("| events/s | entities | read sides | K | consumer setting | per partition: events/s, queue msgs/s | lag p99 ms | store req/s | store rows/s | store GB | K = 1 breaks first on | 20 consumers instead of 250 |");
console.log("|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|---|---|");
for (const r of pred.sizing) {
  const c = r.configs[0];
  const a = c.at;
  const few = r.configs[1]?.at;
  console.log(
    `| ${n(r.rate)} | ${sci(r.entities)} | ${r.readSides} | ${c.K ?? "> 128"} | ${c.config} | ${a ? `${n(a.partitionRate)}, ${n(a.messagesPerS)}` : "–"} | ${a ? n(a.lagP99Ms) : "–"} | ${a ? n(a.storeRequestsPerS) : "–"} | ${a ? n(a.storeRowsWrittenPerS) : "–"} | ${a ? a.storageGB : "–"} | ${c.firstBreak ?? "nothing"} | ${few ? (few.ok ? `holds (lag p99 ${n(few.lagP99Ms)} ms)` : few.breaks.join("; ")) : "–"} |`,
  );
}
console.log("\nHot entity (Zipf over entities), top entity's events/s against one object's write rate and one read side's ordered delivery rate:\n");
console.log("| events/s | entities | top entity, Zipf 0.8 | top entity, Zipf 1.0 | write cap per object | delivery cap per (entity, read side) |");
console.log("|--:|--:|--:|--:|--:|--:|");
const seen = new Set();
for (const r of pred.sizing) {
  const k = `${r.rate}-${r.entities}`;
  if (seen.has(k)) continue;
  seen.add(k);
  console.log(`| ${n(r.rate)} | ${sci(r.entities)} | ${n(r.hotEntity[0].topEntityPerS)} | ${n(r.hotEntity[1].topEntityPerS)} | ~${r.entityWriteCapPerS} | ~${r.entityDeliveryCapPerS} |`);
}

console.log("\n### Monthly cost\n");
console.log("| events/s | entities | read sides | K | Statehouse $/month (setting of the sizing) | $/M events | with full batches (window 1 s, max_batch_size ≤ 100): $/month, $/M | of it: rows written | queues | storage baseline | journal growth (1 month) | CoS on AWS $/month | CoS: nodes, RDS vCPUs |");
console.log("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
for (const c of costs.rows) {
  const f = c.statehouseFullBatches;
  const s = c.statehouse;
  console.log(
    `| ${n(c.rate)} | ${sci(c.entities)} | ${c.readSides} | ${c.K} | ${n(s.total)} | ${s.perMillionEvents} | ${n(f.total)}, ${f.perMillionEvents} | ${n(Math.round(s.lines.rowsWritten))} | ${n(Math.round(s.lines.queues))} | ${n(Math.round(s.lines.storageBaseline))} | ${n(Math.round(s.lines.storageGrowth))} | ${n(c.cos.total)}${c.cos.note ? " *" : ""} | ${c.cos.nodes}, ${c.cos.rdsVcpus ?? `> 64 (needs ${c.cos.rdsVcpusNeeded})`} |`,
  );
}
const a = archivePerMillion(archive);
console.log(`\nArchive per million events: ${a.objects} objects; Class A $${a.classA.toFixed(5)}; one full read (Class B) $${a.classBOneRead.toFixed(6)}; ${a.gbMonth.toFixed(4)} GB → $${a.storagePerMonth.toFixed(6)} per month kept.`);
