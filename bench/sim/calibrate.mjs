// Calibrates the "local" model's CPU costs from a bench run's W5 steps, then predicts W5 from them.
//
// Fit (what the model is told): per step, the consumer's batches and messages per batch, and the
// committed rate. Those depend only on how long a batch takes against the write side's CPU, so they
// fix the batch's CPU (per batch, per event, per delivery). The write side's CPU per command is not
// fitted: it is the bench's own W2 figure (workerd CPU per command at 64 in flight, 100 entities).
// Check (what the model is not told): each step's lag p99 and the W5 verdict, i.e. the highest
// bounded rate of the bench's ladder and where between its steps the simulated limit falls.
import { readFileSync } from "node:fs";
import { bounded, simulate, threshold, w5 } from "./sim.mjs";

/** W5 steps of a bench JSON (readside.json before partitions, partitions-*.json after). */
export function loadW5(file) {
  const d = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(d.maxRate)) throw new Error(`${file}: no W5 (maxRate) in it`);
  return {
    file,
    startedAt: d.startedAt,
    machine: d.machine,
    load: d.load,
    rows: d.maxRate.map((r) => ({
      readSides: r.readSides,
      measuredW5: r.maxBoundedRate ?? null,
      steps: r.steps.map((s) => ({
        rate: s.targetRate,
        seconds: s.seconds ?? 12,
        committedRate: s.committedRate,
        lagP50Ms: s.lagP50Ms,
        lagP99Ms: s.lagP99Ms,
        drainS: s.drainS,
        bounded: s.bounded,
        batches: s.batches?.batches,
        messagesPerBatch: s.batches?.messagesPerBatch,
      })),
    })),
  };
}

/** The bench's W2 CPU per command (workerd, 64 in flight over 100 entities, Statehouse sb) from a full run's JSON. */
export function commandCpuMs(file) {
  const d = JSON.parse(readFileSync(file, "utf8"));
  const rows = (d.rows ?? []).filter((r) => r.workload === "W2" && r.system === "Statehouse sb" && r.entities === 100 && r.workerdCpuMs);
  if (rows.length === 0) throw new Error(`${file}: no W2 Statehouse sb row over 100 entities`);
  return { cpuMs: rows.reduce((n, r) => n + r.workerdCpuMs, 0) / rows.length, rows: rows.map((r) => ({ cmdPerS: r.perSecond, cpuMs: r.workerdCpuMs })) };
}

const PLAN = { seconds: 12, entities: 100, pick: "roundrobin", batchSize: 100, windowMs: 0, concurrency: 1 };

function loss(data, costs) {
  let sum = 0;
  let n = 0;
  for (const row of data.rows) {
    for (const st of row.steps) {
      if (!st.batches) continue;
      const s = simulate({ ...PLAN, ...costs, readSides: row.readSides, rate: st.rate, seconds: st.seconds });
      sum += Math.log(Math.max(s.messagesPerBatch, 1e-3) / st.messagesPerBatch) ** 2;
      sum += Math.log(Math.max(s.batches, 1) / st.batches) ** 2;
      sum += 4 * Math.log(Math.max(s.committedRate, 1) / st.committedRate) ** 2;
      n += 3;
    }
  }
  return sum / n;
}

/** Grid, then coordinate refinement, over the batch's three CPU costs. */
export function fit(data, cpuCommandMs, log = () => {}) {
  let best = { cpuBatchMs: 6, cpuEventMs: 0.3, cpuDeliveryMs: 1, cpuCommandMs };
  let bestLoss = Infinity;
  for (const cpuBatchMs of [2, 4, 6, 9, 12, 16]) {
    for (const cpuDeliveryMs of [0.3, 0.6, 1, 1.5, 2.2]) {
      for (const cpuEventMs of [0, 0.4, 0.8]) {
        const c = { cpuBatchMs, cpuEventMs, cpuDeliveryMs, cpuCommandMs };
        const l = loss(data, c);
        if (l < bestLoss) [best, bestLoss] = [c, l];
      }
    }
  }
  log(`  grid: ${JSON.stringify(best)} loss ${bestLoss.toFixed(4)}`);
  for (let round = 0; round < 3; round++) {
    for (const k of ["cpuBatchMs", "cpuDeliveryMs", "cpuEventMs"]) {
      for (const f of [0.6, 0.8, 0.9, 1.1, 1.25, 1.5]) {
        const c = { ...best, [k]: Math.max(0, best[k] * f + (best[k] === 0 ? 0.05 : 0)) };
        const l = loss(data, c);
        if (l < bestLoss) [best, bestLoss] = [c, l];
      }
    }
    log(`  round ${round + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v * 1000) / 1000])))} loss ${bestLoss.toFixed(4)}`);
  }
  return { costs: best, loss: bestLoss };
}

/** Predicted against measured: per read-side count, the ladder's W5, the continuous limit, and every step's lag. */
export function check(data, costs) {
  return data.rows.map((row) => {
    const ladder = [...new Set([...row.steps.map((s) => s.rate), 50, 100, 200, 400, 800])].sort((a, b) => a - b);
    const sim = w5({ ...PLAN, ...costs, readSides: row.readSides }, ladder);
    const limit = threshold({ ...PLAN, ...costs, readSides: row.readSides }, 25, 800, 5);
    const steps = row.steps.map((st) => {
      const s = simulate({ ...PLAN, ...costs, readSides: row.readSides, rate: st.rate, seconds: st.seconds });
      return {
        rate: st.rate,
        measured: { committed: round(st.committedRate), lagP99Ms: st.lagP99Ms, messagesPerBatch: round(st.messagesPerBatch), batches: st.batches, bounded: st.bounded },
        predicted: { committed: round(s.committedRate), lagP99Ms: Math.round(s.lagP99Ms), messagesPerBatch: round(s.messagesPerBatch), batches: s.batches, bounded: bounded(s, st.rate).ok },
      };
    });
    // The measured limit lies between the highest bounded step and the next (unbounded) one.
    const next = row.steps.find((s) => !s.bounded)?.rate;
    return { readSides: row.readSides, measuredW5: row.measuredW5, measuredBracket: [row.measuredW5, next ?? null], predictedW5: sim.best ?? null, predictedLimit: limit, steps };
  });
}

function round(v) {
  return Math.round(v * 10) / 10;
}
