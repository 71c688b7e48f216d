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
  /**
   * R2 Standard (developers.cloudflare.com/r2/pricing, as bench/sim/cost.mjs and docs/scale-model.md
   * use them): Class A (put, list, …) $4.50 per million, Class B (get, head) $0.36 per million,
   * storage $0.015 per GB-month (GB = 10^9 bytes here, as in the model); deletes and egress are free.
   */
  r2ClassAPerM: 4.5,
  r2ClassBPerM: 0.36,
  r2StoragePerGbMonth: 0.015,
  /** Durable Objects bill incoming WebSocket messages as requests at 20:1; outgoing messages (a broadcast) are free. */
  doWebSocketMessagesPerRequest: 20,
  /**
   * The stream scenarios' figures (S1–S3) were priced with these on 2026-12-01, after checking them
   * against stored copies of Cloudflare's pages (the machine itself is offline): Workers Standard
   * ($0.30/M requests, $0.02/M CPU-ms, "no charge or limit for duration"), Durable Objects ($0.15/M
   * requests incl. WebSocket messages at 20:1 for incoming ones, no charge for outgoing messages;
   * $12.50/M GB-s; idle objects eligible for hibernation bill no duration), D1 ($1.00/M rows
   * written, $0.001/M rows read). Unchanged from the 2025 figures above.
   */
  checked: "2026-12-01 against stored copies of developers.cloudflare.com/{workers,durable-objects,d1}/platform/pricing",
  notes: [
    "Service Binding calls to the write-handler Worker are not billed as requests (CPU only).",
    "DO duration is billed while an object is active; modelled as 128 MB × wall time the objects were busy.",
    "Included monthly amounts (10M requests, 1M DO requests, 50M rows written, …) are ignored.",
    "Streams: a Worker holding an open SSE or Connect stream bills CPU only (Workers Standard has no duration charge); a hibernatable WebSocket's object bills no duration while idle; outgoing WebSocket messages are not billed, incoming ones 20:1 as requests.",
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

/** Dollars for the stream scenarios, from their measured counts (see streams.ts). */
export interface StreamCost {
  /** Per million events delivered to entity subscribers (S1), by subscriber count (N ≥ 100): workerd CPU, and the same CPU as DO duration (upper bound). */
  perMillionEntityDeliveries: Record<string, { cpuMs: number; workerCpu: number; doDurationUpperBound: number; doRequests: number; total: number }>;
  /** Per million stream opens: one Worker request and the measured DO requests. */
  perMillionOpens?: { workerRequests: number; doRequests: number; total: number };
  /** Per idle subscriber-hour (and per million of them): workerd CPU above the no-stream baseline; no DO duration (hibernatable), no DO requests measured. */
  perIdleSubscriberHour: Record<string, { cpuMs: number; usd: number; usdPerMillionHours: number }>;
  /**
   * Per million events delivered to one log reader (S2): the central store's rows (partition store
   * and D1, both $1/M written), its requests (the consumer's loads and commits, and anything else
   * the partition served), LogHub publishes, and workerd CPU above S1's no-stream baseline (rough).
   */
  perMillionLogDeliveries?: { rowsWritten: number; rowsRead: number; storeRequests: number; logHubRequests: number; cpu?: number; total: number; cpuMsPerEvent?: number };
}

export function streamCost(
  s1: { rows: { subscribers: number; live: number; doRequestsPerOpen: number; workerdCpuMsPerCommand: number }[]; cpuMsPerDelivery: Record<string, number>; idleCpuMsPerSubscriberHour: Record<string, number> } | undefined,
  s2: { central: { rowsWrittenPerEvent: number; rowsReadPerEvent: number; requestsPerEvent: number; d1StatementsPerEvent: number }; logPublishesPerEvent: number; workerdCpuMsPerCommand: number }[] | undefined,
): StreamCost {
  const p = PRICES;
  const out: StreamCost = { perMillionEntityDeliveries: {}, perIdleSubscriberHour: {} };
  for (const [n, cpuMs] of Object.entries(s1?.cpuMsPerDelivery ?? {})) {
    const workerCpu = cpuMs * p.workerCpuPerMMs;
    const doDurationUpperBound = (cpuMs / 1000) * p.doGbPerObject * p.doDurationPerMGbS;
    out.perMillionEntityDeliveries[n] = { cpuMs, workerCpu, doDurationUpperBound, doRequests: 0, total: workerCpu + doDurationUpperBound };
  }
  const opened = s1?.rows.filter((r) => r.subscribers > 0) ?? [];
  if (opened.length > 0) {
    const doReq = opened.reduce((a, r) => a + r.doRequestsPerOpen * r.subscribers, 0) / opened.reduce((a, r) => a + r.subscribers, 0);
    out.perMillionOpens = { workerRequests: p.workerRequestsPerM, doRequests: doReq * p.doRequestsPerM, total: p.workerRequestsPerM + doReq * p.doRequestsPerM };
  }
  for (const [n, cpuMs] of Object.entries(s1?.idleCpuMsPerSubscriberHour ?? {})) {
    const usd = (Math.max(0, cpuMs) * p.workerCpuPerMMs) / 1e6;
    out.perIdleSubscriberHour[n] = { cpuMs, usd, usdPerMillionHours: usd * 1e6 };
  }
  const row = s2?.[0];
  if (row !== undefined) {
    // Partition stores' SQLite and D1 bill rows at the same prices.
    const rowsWritten = row.central.rowsWrittenPerEvent * p.sqliteRowsWrittenPerM;
    const rowsRead = row.central.rowsReadPerEvent * p.sqliteRowsReadPerM;
    // D1 bills no requests; a partition store's RPCs are Durable Object requests.
    const storeRequests = (row.central.requestsPerEvent - row.central.d1StatementsPerEvent) * p.doRequestsPerM;
    const logHubRequests = row.logPublishesPerEvent * p.doRequestsPerM;
    const base = s1?.rows.find((r) => r.subscribers === 0);
    const cpuMsPerEvent = base === undefined ? undefined : Math.max(0, row.workerdCpuMsPerCommand - base.workerdCpuMsPerCommand);
    const cpu = cpuMsPerEvent === undefined ? undefined : cpuMsPerEvent * p.workerCpuPerMMs;
    out.perMillionLogDeliveries = { rowsWritten, rowsRead, storeRequests, logHubRequests, cpu, cpuMsPerEvent, total: rowsWritten + rowsRead + storeRequests + logHubRequests + (cpu ?? 0) };
  }
  return out;
}

/** Dollars of the log's archive per million events, from the R2 operations the bench counted and the bytes the bucket holds. */
export interface ArchiveCost {
  prices: { r2ClassAPerM: number; r2ClassBPerM: number; r2StoragePerGbMonth: number; gb: string };
  /** Class A operations (puts, lists) per million events while building and archiving. */
  classAPerMillionEvents: number;
  /** Class B operations (gets, heads) per million events for one read of the whole log. */
  classBPerMillionEventsPerRead: number;
  /** $ per million events: archiving them (Class A), reading them once (Class B), keeping them a month. */
  archiveUsd: number;
  readUsd: number;
  storageUsdPerMonth: number;
  gbPerMillionEvents: number;
}

/**
 * The archive's cost per million events: `events` archived with `classA` Class A operations,
 * `classBPerRead` Class B operations per whole-log read, `storedBytes` left in the bucket.
 */
export function archiveCost(u: { events: number; classA: number; classBPerRead: number; storedBytes: number }): ArchiveCost {
  const p = PRICES;
  const perM = 1e6 / Math.max(1, u.events);
  const gbPerMillionEvents = (u.storedBytes * perM) / 1e9;
  return {
    prices: { r2ClassAPerM: p.r2ClassAPerM, r2ClassBPerM: p.r2ClassBPerM, r2StoragePerGbMonth: p.r2StoragePerGbMonth, gb: "10^9 bytes" },
    classAPerMillionEvents: u.classA * perM,
    classBPerMillionEventsPerRead: u.classBPerRead * perM,
    archiveUsd: (u.classA * perM * p.r2ClassAPerM) / 1e6,
    readUsd: (u.classBPerRead * perM * p.r2ClassBPerM) / 1e6,
    storageUsdPerMonth: gbPerMillionEvents * p.r2StoragePerGbMonth,
    gbPerMillionEvents,
  };
}
