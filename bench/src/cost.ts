// Cloudflare's published prices (Workers Paid plan) and the dollars per million commands they give.

/**
 * Prices in US dollars, beyond the monthly included amounts, as published on Cloudflare's pricing
 * pages (developers.cloudflare.com/workers/platform/pricing, …/durable-objects/platform/pricing,
 * …/queues/platform/pricing, …/d1/platform/pricing) as last known to the author in 2025. This
 * machine has no internet: they were not re-checked on the day of the run.
 */
export const PRICES = {
  asOf: "2025 (Workers Paid plan list prices; not re-checked: the bench machine is offline)",
  workerRequestsPerM: 0.3,
  workerCpuPerMMs: 0.02,
  doRequestsPerM: 0.15,
  doDurationPerMGbS: 12.5,
  doGbPerObject: 0.128,
  sqliteRowsReadPerM: 0.001,
  sqliteRowsWrittenPerM: 1.0,
  queueOpsPerM: 0.4,
  /** A message is written, read and deleted: 3 operations per 64 KB. */
  queueOpsPerMessage: 3,
  d1RowsReadPerM: 0.001,
  d1RowsWrittenPerM: 1.0,
  notes: [
    "Service Binding calls to the write-handler Worker are not billed as requests (CPU only).",
    "DO duration is billed while an object is active; modelled as 128 MB × wall time the objects were busy.",
    "Included monthly amounts (10M requests, 1M DO requests, 50M rows written, …) are ignored.",
  ],
} as const;

/** What one command used, on average. */
export interface Usage {
  workerRequests: number;
  doRequests: number;
  rowsRead: number;
  rowsWritten: number;
  queueMessages: number;
  /** workerd CPU ms per command (all Workers and objects in the process: an upper bound). */
  cpuMs: number;
  /** Seconds objects were active per command. */
  doActiveS: number;
  d1RowsRead?: number;
  d1RowsWritten?: number;
}

/** Dollars per million commands, in total and per line. */
export function dollarsPerMillion(u: Usage): { total: number; lines: Record<string, number> } {
  const p = PRICES;
  const lines = {
    workerRequests: u.workerRequests * p.workerRequestsPerM,
    workerCpu: u.cpuMs * p.workerCpuPerMMs,
    doRequests: u.doRequests * p.doRequestsPerM,
    doDuration: u.doActiveS * p.doGbPerObject * p.doDurationPerMGbS,
    rowsRead: u.rowsRead * p.sqliteRowsReadPerM,
    rowsWritten: u.rowsWritten * p.sqliteRowsWrittenPerM,
    queue: u.queueMessages * p.queueOpsPerMessage * p.queueOpsPerM,
    d1: (u.d1RowsRead ?? 0) * p.d1RowsReadPerM + (u.d1RowsWritten ?? 0) * p.d1RowsWrittenPerM,
  };
  return { total: Object.values(lines).reduce((a, b) => a + b, 0), lines };
}
