// Monthly cost of a size at list prices: Statehouse on Cloudflare, and Chief of State on AWS.
// Every price names its page (docs/scale-model.md cites them); every quantity per event names its
// source: a measured file, the simulation, or an assumption (marked ASSUMED).

const MONTH_S = 30 * 24 * 3600;
const HOURS = 730;

export const PRICES = {
  // https://developers.cloudflare.com/workers/platform/pricing/ (Standard)
  workersPlanPerMonth: 5,
  workerRequestsPerM: 0.3,
  workerCpuPerMMs: 0.02,
  // https://developers.cloudflare.com/durable-objects/platform/pricing/
  doRequestsPerM: 0.15,
  doDurationPerMGbS: 12.5,
  doGb: 0.128,
  sqliteRowsReadPerM: 0.001,
  sqliteRowsWrittenPerM: 1.0,
  sqliteGbMonth: 0.2,
  // https://developers.cloudflare.com/queues/platform/pricing/ (per 64 KB written, read or deleted)
  queueOpsPerM: 0.4,
  queueOpsPerMessage: 3,
  // https://developers.cloudflare.com/d1/platform/pricing/
  d1RowsReadPerM: 0.001,
  d1RowsWrittenPerM: 1.0,
  d1GbMonth: 0.75,
  // https://developers.cloudflare.com/r2/pricing/ (Standard storage)
  r2ClassAPerM: 4.5,
  r2ClassBPerM: 0.36,
  r2GbMonth: 0.015,
  // AWS, us-east-1, on demand (secondary sources, see docs/scale-model.md)
  eksClusterPerHour: 0.1,
  ec2M5XlargePerHour: 0.192,
  rdsR8gPerVcpuHour: 0.478 / 4,
  rdsGp3GbMonth: 0.115,
};

/** What one event costs in units, by source. */
export const PER_EVENT = {
  // bench/results/latest.json, W2 Statehouse sb over 100 entities: workerd CPU per command (every Worker and object of the process: an upper bound of billed Worker CPU)
  commandCpuMs: 2.85,
  // bench/results/latest.json, W1 Statehouse sb: SQLite rows written / read per command in the entity's object
  entityRowsWritten: 1.021,
  entityRowsRead: 1.05,
  // ASSUMED: an entity object is busy 4 ms per command on Cloudflare (cloud.mjs ASSUMED.commandMs)
  entityActiveS: 0.004,
  // ASSUMED: a journal row (event + state + meta, 100 B payloads as in the bench) takes 450 B on disk
  journalBytes: 450,
  // Durable Objects FAQ: "An empty SQLite database consumes approximately 12 KB of storage"
  emptyObjectBytes: 12_000,
  // ASSUMED: one Queue message per command, under 64 KB (the outbox sends one per commit)
  messagesPerEvent: 1,
};

/** Statehouse on Cloudflare for one month. */
export function monthlyCost({ rate, entities, readSides: R, K, rowsPerEvent, messagesPerBatch, cal, archive }) {
  const ev = rate * MONTH_S;
  const batches = ev / Math.max(1, messagesPerBatch);
  const consumerCpuPerEvent = cal.cpuBatchMs / Math.max(1, messagesPerBatch) + cal.cpuEventMs + R * cal.cpuDeliveryMs;
  const gz = archive.rows.find((r) => r.payload === "json" && r.entities === 1_000_000);
  const p = PRICES;
  const M = 1e6;
  const hotLogGb = (1_000_000 * gz.rawBytesPerEntry) / 1e9; // STATEHOUSE_LOG_HOT_ENTRIES per partition
  const rowGb = (entities * (200 + 65 * (R + 1))) / 1e9; // p_entity rows (cloud.mjs entityRowBytes, roughly)
  const lines = {
    workersPlan: p.workersPlanPerMonth,
    workerRequests: ((ev + batches) / M) * p.workerRequestsPerM,
    workerCpu: ((ev * (PER_EVENT.commandCpuMs + consumerCpuPerEvent)) / M) * p.workerCpuPerMMs,
    doRequests: ((ev + 2 * batches) / M) * p.doRequestsPerM,
    doDuration: ((ev * PER_EVENT.entityActiveS * p.doGb + K * MONTH_S * p.doGb) / M) * p.doDurationPerMGbS,
    rowsWritten: ((ev * (PER_EVENT.entityRowsWritten + rowsPerEvent)) / M) * p.sqliteRowsWrittenPerM,
    rowsRead: ((ev * (PER_EVENT.entityRowsRead + 1)) / M) * p.sqliteRowsReadPerM,
    queues: ((ev * PER_EVENT.messagesPerEvent * p.queueOpsPerMessage) / M) * p.queueOpsPerM,
    // stored at the end of the month: the objects' baseline, the partitions' index and hot log
    storageBaseline: ((entities * PER_EVENT.emptyObjectBytes) / 1e9 + rowGb + K * hotLogGb) * p.sqliteGbMonth,
    // one month of journal, billed the next month (adds up every month unless compaction deletes it)
    storageGrowth: ((ev * PER_EVENT.journalBytes) / 1e9) * p.sqliteGbMonth,
    r2: (ev / 10_000 / M) * (p.r2ClassAPerM + p.r2ClassBPerM) + ((ev * gz.gzipBytesPerEntry) / 1e9) * p.r2GbMonth,
    d1: ((K * (MONTH_S / 10)) / M) * p.d1RowsReadPerM,
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  return {
    total: Math.round(total),
    perMillionEvents: Math.round((total / (ev / M)) * 1000) / 1000,
    lines: Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, Math.round(v * 100) / 100])),
    units: { eventsPerMonth: ev, batches, consumerCpuMsPerEvent: Math.round(consumerCpuPerEvent * 1000) / 1000, journalGbPerMonth: Math.round((ev * PER_EVENT.journalBytes) / 1e9) },
  };
}

/** Archive cost per million events (R2): puts, one full read, and a month of storage at the measured compressed size. */
export function archivePerMillion(archive) {
  const gz = archive.rows.find((r) => r.payload === "json" && r.entities === 1_000_000);
  const objects = 1e6 / 10_000;
  return {
    objects,
    classA: (objects / 1e6) * PRICES.r2ClassAPerM,
    classBOneRead: (objects / 1e6) * PRICES.r2ClassBPerM,
    gbMonth: (1e6 * gz.gzipBytesPerEntry) / 1e9,
    storagePerMonth: ((1e6 * gz.gzipBytesPerEntry) / 1e9) * PRICES.r2GbMonth,
  };
}

/**
 * Chief of State on AWS: EKS + EC2 nodes for the CoS pods + RDS for PostgreSQL Multi-AZ (journal,
 * snapshots, read-side offsets; no Kafka in current CoS). Capacities are ASSUMED (nothing measured here):
 * one m5.xlarge CoS pod takes 1,000 events/s with one read side, 25 % less work per extra read side's share;
 * one RDS vCPU takes 1,000 event-writes/s (journal + tag + offsets) with 20 % more per read side; both run
 * at ≤ 60–70 % of that; at least 3 nodes (Akka cluster) and one Multi-AZ primary (CoS has one database).
 */
export function cosMonthlyCost({ rate, readSides: R }) {
  const ev = rate * MONTH_S;
  const nodeCap = 1000 / (1 + 0.25 * (R - 1));
  const nodes = Math.max(3, Math.ceil(rate / nodeCap / 0.7));
  const vcpusNeeded = (rate * (1 + 0.2 * R)) / 1000 / 0.6;
  const sizes = [4, 8, 16, 32, 48, 64];
  const vcpus = sizes.find((v) => v >= vcpusNeeded);
  const p = PRICES;
  const storageGb = (ev * PER_EVENT.journalBytes * 1.5) / 1e9; // + indexes and the tag table: ASSUMED ×1.5
  const lines = {
    eks: p.eksClusterPerHour * HOURS,
    nodes: nodes * p.ec2M5XlargePerHour * HOURS,
    rds: (vcpus ?? 64) * p.rdsR8gPerVcpuHour * HOURS * 2,
    storageGrowth: storageGb * p.rdsGp3GbMonth * 2,
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  return {
    total: Math.round(total),
    nodes,
    rdsVcpus: vcpus ?? null,
    rdsVcpusNeeded: Math.round(vcpusNeeded * 10) / 10,
    note: vcpus === undefined ? `needs ${Math.round(vcpusNeeded)} vCPUs of one Postgres primary: past the largest size priced here (64); priced at 64, i.e. it does not fit one primary` : undefined,
    lines: Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, Math.round(v)])),
  };
}
