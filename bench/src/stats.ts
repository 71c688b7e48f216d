// Percentiles and rates from a load run.
import type { LoadResult } from "./client.js";

/** The p-th percentile (0–100) of `xs`, by nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** Summary of one load run: commands/s, latency percentiles, CPU per command. */
export interface Summary {
  commands: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** workerd CPU (all Workers, objects, the handler Worker) per command, in ms. */
  workerdCpuMs: number;
  clientCpuMs: number;
  elapsedS: number;
}

/** Summarises a load run. */
export function summarize(r: LoadResult): Summary {
  const n = r.ok;
  return {
    commands: n,
    errors: r.errors,
    perSecond: n / (r.elapsedMs / 1000),
    p50Ms: percentile(r.latenciesMs, 50),
    p99Ms: percentile(r.latenciesMs, 99),
    meanMs: n === 0 ? NaN : r.latenciesMs.reduce((a, b) => a + b, 0) / n,
    workerdCpuMs: n === 0 ? NaN : (r.workerdCpuS * 1000) / n,
    clientCpuMs: n === 0 ? NaN : (r.clientCpuS * 1000) / n,
    elapsedS: r.elapsedMs / 1000,
  };
}
