// What a Statehouse Worker of the stack counted, and the central store's cost per event over a window (partition stores + D1).
import { getJson } from "./client.js";
import { sleep } from "./measure.js";
import type { Stack } from "./stack.js";

/** Rows read and written, and statements run, by one group of statements. */
export interface SqlCount {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}
/** The same, in total and by bucket (the table a statement writes; see workers/sql-counter.ts). */
export interface SqlTally extends SqlCount {
  byTable: Record<string, SqlCount>;
}
/** What the consumer's queue handed it (see workers/statehouse-entry.ts). */
export interface QueueCounters {
  batches: number;
  messages: number;
  groups: number;
  events: number;
}

/** `GET /__bench/counters` of a Statehouse Worker. */
export interface ShCounters {
  processCommand: number;
  alarms: number;
  constructed: number;
  /** EntityObjects' SQL. */
  sql: SqlTally;
  /** PartitionObjects' SQL, and the requests they served by method. */
  partition: { sql: SqlTally; requests: Record<string, number> };
  /** Every D1 statement of the Worker and its objects. */
  d1: SqlTally;
  queue: QueueCounters;
  streams: { entityUpgrades: number; entityReads: number; subscriptionUpgrades: number; logHubUpgrades: number; logPublishes: number; logPublishSockets: number };
}

export const shCounters = (stack: Stack, host: string) => getJson<ShCounters>(stack.url, host, "/__bench/counters");

const requestsOf = (c: ShCounters) => Object.values(c.partition.requests).reduce((a, b) => a + b, 0);

/**
 * Waits (at most 30 s) until the consumer is idle: no new queue() call, partition request or D1
 * statement for 1 s. Deliveries can all be in while messages that have nothing left to deliver
 * are still queued (a delivery reads the journal up to the head, so earlier messages can cover
 * later ones); what they cost belongs to this window, not the next.
 */
export async function settledCounters(stack: Stack, host: string): Promise<ShCounters> {
  const t0 = Date.now();
  let last = await shCounters(stack, host);
  let stableSince = Date.now();
  while (Date.now() - t0 < 30_000 && Date.now() - stableSince < 1000) {
    await sleep(200);
    const now = await shCounters(stack, host);
    if (now.d1.statements !== last.d1.statements || now.queue.batches !== last.queue.batches || requestsOf(now) !== requestsOf(last)) stableSince = Date.now();
    last = now;
  }
  return last;
}

/** Rows written per event by what writes them: the S3-style split of the central store. */
export interface RowsSplit {
  /** p_entity rows a commit writes back (every read side's cursor and the index head, one row per entity per batch). */
  entityRows: number;
  /** p_entity rows the load inserts for entities the index did not know yet. */
  newEntityRows: number;
  /** log_segment rows (one per batch) and the log's other tables (counters folded, meta, barriers). */
  logSegments: number;
  /** p_failing and p_parked rows (a cursor that starts or stops failing, a parked event). */
  failingParked: number;
  /** Any other partition table (p_info, p_crud_doc, shard moves). */
  otherPartition: number;
  /** D1 (the control plane), every table. */
  d1: number;
}

/** The central store's cost over a window, per committed event. */
export interface CentralStore {
  events: number;
  /** Partition stores' rows written + D1's rows written. */
  rowsWrittenPerEvent: number;
  split: RowsSplit;
  rowsReadPerEvent: number;
  /** Requests to the central store: RPCs to partition stores (load, commit, everything else) + D1 statements. */
  requestsPerEvent: number;
  loadsPerEvent: number;
  commitsPerEvent: number;
  /** Other partition RPCs and alarms in the window, by method (absolute counts). */
  otherRequests: Record<string, number>;
  d1StatementsPerEvent: number;
  /** SQL statements run inside the partition stores (each RPC runs several, locally). */
  partitionStatementsPerEvent: number;
  /** D1 rows written in the window by table (absolute), to show what the control plane still sees. */
  d1RowsWrittenByTable: Record<string, number>;
  d1StatementsByTable: Record<string, number>;
}

function diffTables(a: SqlTally, b: SqlTally, field: keyof SqlCount): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.byTable)) {
    const d = v[field] - (a.byTable[k]?.[field] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** The central store's cost between two counter snapshots, per event (`events` committed in between). */
export function centralStore(before: ShCounters, after: ShCounters, events: number): CentralStore {
  const per = (x: number) => x / Math.max(1, events);
  const pw = diffTables(before.partition.sql, after.partition.sql, "rowsWritten");
  const sum = (pick: (table: string) => boolean) => Object.entries(pw).reduce((a, [k, v]) => a + (pick(k) ? v : 0), 0);
  const d1Written = after.d1.rowsWritten - before.d1.rowsWritten;
  const partitionWritten = after.partition.sql.rowsWritten - before.partition.sql.rowsWritten;
  const req = (m: string) => (after.partition.requests[m] ?? 0) - (before.partition.requests[m] ?? 0);
  const otherRequests: Record<string, number> = {};
  for (const m of Object.keys(after.partition.requests)) if (m !== "load" && m !== "commit" && req(m) !== 0) otherRequests[m] = req(m);
  const partitionRequests = requestsOf(after) - requestsOf(before);
  const d1Statements = after.d1.statements - before.d1.statements;
  const known = (t: string) => t === "p_entity" || t === "p_entity (new entities)" || t.startsWith("log_") || t === "p_failing" || t === "p_parked";
  return {
    events,
    rowsWrittenPerEvent: per(partitionWritten + d1Written),
    split: {
      entityRows: per(sum((t) => t === "p_entity")),
      newEntityRows: per(sum((t) => t === "p_entity (new entities)")),
      logSegments: per(sum((t) => t.startsWith("log_"))),
      failingParked: per(sum((t) => t === "p_failing" || t === "p_parked")),
      otherPartition: per(sum((t) => !known(t))),
      d1: per(d1Written),
    },
    rowsReadPerEvent: per(after.partition.sql.rowsRead - before.partition.sql.rowsRead + (after.d1.rowsRead - before.d1.rowsRead)),
    requestsPerEvent: per(partitionRequests + d1Statements),
    loadsPerEvent: per(req("load")),
    commitsPerEvent: per(req("commit")),
    otherRequests,
    d1StatementsPerEvent: per(d1Statements),
    partitionStatementsPerEvent: per(after.partition.sql.statements - before.partition.sql.statements),
    d1RowsWrittenByTable: diffTables(before.d1, after.d1, "rowsWritten"),
    d1StatementsByTable: diffTables(before.d1, after.d1, "statements"),
  };
}

/** Consumer batches during a window: queue() calls, messages per batch, and events per entity per batch. */
export interface BatchStats {
  batches: number;
  messagesPerBatch: number;
  entitiesPerBatch: number;
  /** Revisions a batch's messages cover per entity (a batch's entity rows are amortised over these). */
  eventsPerEntityPerBatch: number;
}

export function batchStats(before: ShCounters, after: ShCounters): BatchStats {
  const d = (k: keyof QueueCounters) => after.queue[k] - before.queue[k];
  return {
    batches: d("batches"),
    messagesPerBatch: d("messages") / Math.max(1, d("batches")),
    entitiesPerBatch: d("groups") / Math.max(1, d("batches")),
    eventsPerEntityPerBatch: d("events") / Math.max(1, d("groups")),
  };
}
