// Measures one load run of one target, with the counters that give cost per command.
import { getJson, runLoad, type Shot } from "./client.js";
import { dollarsPerMillion, type Usage } from "./cost.js";
import { percentile, summarize, type Summary } from "./stats.js";
import { hostOf, type Stack, type Variant } from "./stack.js";
import type { ShCounters } from "./central-store.js";
import type { Target } from "./targets.js";

interface LadderCounters {
  queues: Record<string, number>;
  doRequests: number;
  sql: { rowsRead: number; rowsWritten: number };
}

/** One measured row of the results. */
export interface Row extends Summary {
  workload: string;
  system: string;
  group: Target["group"];
  concurrency: number;
  payloadBytes: number;
  entities: number;
  distribution?: string;
  cost?: { usage: Usage; usdPerMillion: number; lines: Record<string, number> };
  note?: string;
  /** Raw latencies, kept only to merge rounds; dropped before writing. */
  latenciesMs?: number[];
  rounds?: number;
}

/** Merges rounds of the same target into one row (commands/s = all commands / all time). */
export function mergeRounds(parts: Row[]): Row {
  const first = parts[0] as Row;
  const lat = parts.flatMap((p) => p.latenciesMs ?? []);
  const commands = parts.reduce((a, p) => a + p.commands, 0);
  const elapsedS = parts.reduce((a, p) => a + p.elapsedS, 0);
  const w = (get: (p: Row) => number) => parts.reduce((a, p) => a + get(p) * p.commands, 0) / Math.max(1, commands);
  const row: Row = {
    ...first,
    commands,
    errors: parts.reduce((a, p) => a + p.errors, 0),
    elapsedS,
    perSecond: commands / elapsedS,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    meanMs: lat.reduce((a, b) => a + b, 0) / Math.max(1, lat.length),
    workerdCpuMs: w((p) => p.workerdCpuMs),
    clientCpuMs: w((p) => p.clientCpuMs),
    latenciesMs: lat,
    rounds: parts.length,
  };
  if (first.cost !== undefined) {
    const usage = Object.fromEntries(Object.keys(first.cost.usage).map((k) => [k, w((p) => (p.cost!.usage as unknown as Record<string, number>)[k] ?? 0)])) as unknown as Usage;
    const d = dollarsPerMillion(usage);
    row.cost = { usage, usdPerMillion: d.total, lines: d.lines };
  }
  return row;
}

/** Counters of everything the stack counts, to diff around a run. */
export async function snapshotCounters(stack: Stack, variant?: Variant) {
  const ladder = await getJson<LadderCounters>(stack.url, hostOf("ladder"), "/counters");
  const sh = variant === undefined ? undefined : await getJson<ShCounters>(stack.url, hostOf(variant), "/__bench/counters");
  return { ladder, sh };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `total` commands at `concurrency` against `target`, picking the entity per command with `entityOf`. */
export async function measure(
  stack: Stack,
  target: Target,
  opts: {
    workload: string;
    total: number;
    concurrency: number;
    payloadBytes: number;
    entityOf: (i: number) => string;
    entities: number;
    distribution?: string;
    timeLimitMs: number;
    variant?: Variant;
    cpuPid?: number;
    warmup?: number;
  },
): Promise<Row> {
  const base = target.base ?? stack.url;
  const shot = (i: number): Shot => target.shot(opts.entityOf(i), opts.payloadBytes);
  if (opts.warmup) {
    await runLoad(base, opts.warmup, Math.min(opts.concurrency, 8), (i) => target.shot(`warmup-${target.name}-${i % 4}`, opts.payloadBytes), { timeLimitMs: 20_000 });
  }
  const counted = target.group !== "peer";
  const before = counted ? await snapshotCounters(stack, opts.variant) : undefined;
  const r = await runLoad(base, opts.total, opts.concurrency, shot, { timeLimitMs: opts.timeLimitMs, workerdPid: opts.cpuPid ?? stack.workerdPid });
  if (r.errors > 0) console.warn(`  ! ${target.name}: ${r.errors} errors, first: ${r.firstError}`);
  const s = summarize(r);
  const row: Row = {
    workload: opts.workload,
    system: target.name,
    group: target.group,
    concurrency: opts.concurrency,
    payloadBytes: opts.payloadBytes,
    entities: opts.entities,
    distribution: opts.distribution,
    ...s,
    latenciesMs: r.latenciesMs,
  };
  if (counted && before !== undefined) {
    // Let the queue deliver what the run sent (bounded), so every message is counted.
    let after = await snapshotCounters(stack, opts.variant);
    for (let waited = 0; waited < 15_000; waited += 200) {
      await sleep(200);
      const again = await snapshotCounters(stack, opts.variant);
      const settled = JSON.stringify(again.ladder.queues) === JSON.stringify(after.ladder.queues);
      after = again;
      if (settled) break;
    }
    const n = Math.max(1, s.commands);
    const queueName = opts.variant === undefined ? "bench-events" : `events-sh-${opts.variant}`;
    const queued = (after.ladder.queues[queueName] ?? 0) - (before.ladder.queues[queueName] ?? 0);
    const sql =
      after.sh !== undefined && before.sh !== undefined
        ? { read: after.sh.sql.rowsRead - before.sh.sql.rowsRead, written: after.sh.sql.rowsWritten - before.sh.sql.rowsWritten }
        : { read: after.ladder.sql.rowsRead - before.ladder.sql.rowsRead, written: after.ladder.sql.rowsWritten - before.ladder.sql.rowsWritten };
    const doReq =
      after.sh !== undefined && before.sh !== undefined
        ? after.sh.processCommand - before.sh.processCommand + (after.sh.alarms - before.sh.alarms)
        : after.ladder.doRequests - before.ladder.doRequests;
    const usage: Usage = {
      workerRequests: 1,
      doRequests: doReq / n,
      rowsRead: sql.read / n,
      rowsWritten: sql.written / n,
      queueMessages: queued / n,
      cpuMs: s.workerdCpuMs,
      // Objects busy for the whole run: wall time × objects in use, shared by the commands.
      doActiveS: (s.elapsedS * Math.min(opts.entities, opts.concurrency)) / n,
    };
    const d = dollarsPerMillion(usage);
    row.cost = { usage, usdPerMillion: d.total, lines: d.lines };
  }
  return row;
}

/** A small seeded PRNG (mulberry32), so runs pick the same entities. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Entity picker: uniform, or Zipf(s = 1.2) so a few entities are hot. */
export function entityPicker(prefix: string, entities: number, dist: "uniform" | "skewed", seed = 42): (i: number) => string {
  const rand = prng(seed);
  if (dist === "uniform") {
    return () => `${prefix}-${Math.floor(rand() * entities)}`;
  }
  const weights = Array.from({ length: entities }, (_, k) => 1 / (k + 1) ** 1.2);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return () => {
    const x = rand();
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return `${prefix}-${lo}`;
  };
}
