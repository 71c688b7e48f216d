// W4 and W5: read-side lag and exactness over 100 entities, and what the central store (partition stores + D1) pays per event.
import { getJson } from "./client.js";
import { type BatchStats, type CentralStore, type ShCounters, batchStats, centralStore, settledCounters, shCounters } from "./central-store.js";
import { sleep } from "./measure.js";
import { percentile } from "./stats.js";
import { W4_BATCH_WINDOWS, hostOf, w4Worker, w5ReadSideIds, type ReadSideWorker, type Stack } from "./stack.js";
import { statehouseTarget } from "./targets.js";
import { type MainThread, readThreads, threadsBetween } from "./threads.js";
import { openLoop, uniqueId, type Plan } from "./workloads.js";

const READ_SIDE_HOST = "readside.bench";
type Delivery = [readSide: string, entity: string, revision: number, at: number];

/** Exactness and lag of one read side's deliveries against the commits of a window. */
export interface ReadSideResult {
  lagP50Ms: number;
  lagP99Ms: number;
  duplicates: number;
  outOfOrder: number;
  lost: number;
  failuresInjected?: number;
}

/**
 * What workerd spent from the first command to the last delivery: CPU per committed event (every
 * thread: front door, entities, consumer, partition store, handlers), and its main thread's wall
 * time by state. One workerd runs all of its JavaScript on that one thread.
 */
export interface WorkerdUse {
  cpuMsPerEvent: number;
  main: MainThread;
}

function workerdUse(stack: Stack, before: ReturnType<typeof readThreads>, t0: number, events: number): WorkerdUse {
  const { cpuS, main } = threadsBetween(before, readThreads(stack.workerdPid), (Date.now() - t0) / 1000);
  return { cpuMsPerEvent: (cpuS * 1000) / Math.max(1, events), main };
}

/** One W4 rate at one batch window. */
export interface LagRow {
  /** The consumer's max_batch_timeout (s) of the Worker that ran it. */
  batchWindowS: number;
  targetRate: number;
  achievedRate: number;
  seconds: number;
  commits: number;
  readSides: Record<string, ReadSideResult>;
  central: CentralStore;
  batches: BatchStats;
  drainS: number;
  commandErrors: number;
  workerd: WorkerdUse;
}

/** Lag (delivery − the commit's reply), duplicates, out-of-order and lost revisions of read side `rs`. */
function judge(rs: string, deliveries: Delivery[], commits: Map<string, number>, prefix?: string): ReadSideResult {
  const seen = new Set<string>();
  const last = new Map<string, number>();
  const lags: number[] = [];
  let duplicates = 0;
  let outOfOrder = 0;
  for (const [side, entity, rev, at] of deliveries) {
    if (side !== rs || (prefix !== undefined && !entity.startsWith(prefix))) continue;
    const key = `${entity}#${rev}`;
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    const prev = last.get(entity) ?? 0;
    if (rev !== prev + 1) outOfOrder++;
    last.set(entity, Math.max(prev, rev));
    const committed = commits.get(key);
    if (committed !== undefined) lags.push(Math.max(0, at - committed));
  }
  const lost = [...commits.keys()].filter((k) => !seen.has(k)).length;
  return { lagP50Ms: percentile(lags, 50), lagP99Ms: percentile(lags, 99), duplicates, outOfOrder, lost };
}

/** Polls the read side's recorded deliveries until every read side has every commit, at most `limitS`; returns them and the wait. */
async function drain(ids: string[], commits: Map<string, number>, stack: Stack, limitS: number): Promise<{ deliveries: Delivery[]; drainS: number; missing: number; failed: number }> {
  const t0 = Date.now();
  const deliveries: Delivery[] = [];
  const missing = new Set<string>();
  for (const rs of ids) for (const k of commits.keys()) missing.add(`${rs}|${k}`);
  let failed = 0;
  while (Date.now() - t0 < limitS * 1000) {
    const got = await getJson<{ failed: number; deliveries: Delivery[] }>(stack.url, READ_SIDE_HOST, `/deliveries?from=${deliveries.length}`);
    failed = got.failed;
    for (const d of got.deliveries) {
      deliveries.push(d);
      missing.delete(`${d[0]}|${d[1]}#${d[2]}`);
    }
    if (missing.size === 0) break;
    await sleep(100);
  }
  return { deliveries, drainS: (Date.now() - t0) / 1000, missing: missing.size, failed };
}

/**
 * One command to a warm-up entity, waited for on every read side, then the consumer left to go
 * idle: a Worker's first batch registers its declared read sides in D1, sweeps them and has its
 * partition import what D1 held before partitions. That happens once per deployment, not per
 * event, so it is kept out of the measured windows.
 */
async function warmUp(stack: Stack, worker: ReadSideWorker, ids: string[]): Promise<void> {
  await getJson(stack.url, READ_SIDE_HOST, "/deliveries?reset=1");
  const { commits } = await openLoop(stack, statehouseTarget(worker as never), uniqueId(`warm-${worker}`), 10, 1, 10_000, 100, 1);
  const { missing } = await drain(ids, commits, stack, 60);
  if (missing > 0) throw new Error(`warm-up of ${worker}: ${missing} deliveries missing after 60 s`);
  await settledCounters(stack, hostOf(worker));
}

/**
 * W4: a steady open-loop rate for `w4Seconds` over 100 fresh entities, two read sides (`flaky`
 * fails 1% of calls), for each batch window: commit-to-delivery lag, exactness, and the central
 * store's rows, requests and SQL statements per event (counted until the consumer is idle).
 */
export async function w4(stack: Stack, plan: Plan): Promise<LagRow[]> {
  const out: LagRow[] = [];
  const ids = ["ok", "flaky"];
  for (const window of W4_BATCH_WINDOWS) {
    const worker = w4Worker(window);
    const host = hostOf(worker);
    const target = statehouseTarget(worker as never, `Statehouse ${worker}`);
    await warmUp(stack, worker, ids);
    for (const rate of window === 0 ? plan.w4Rates : plan.w4WindowRates) {
      await getJson(stack.url, READ_SIDE_HOST, "/deliveries?reset=1");
      const before = await shCounters(stack, host);
      const prefix = uniqueId(`w4-${window}-${rate}`);
      const threads0 = readThreads(stack.workerdPid);
      const t0 = Date.now();
      const { commits, errors } = await openLoop(stack, target, prefix, rate, rate * plan.w4Seconds, plan.w4Seconds * 1000 + 10_000, plan.smallBytes);
      const sentS = (Date.now() - t0) / 1000;
      const { deliveries, drainS, failed } = await drain(ids, commits, stack, 60);
      const workerd = workerdUse(stack, threads0, t0, commits.size);
      const after = await settledCounters(stack, host);
      const row: LagRow = {
        batchWindowS: window,
        targetRate: rate,
        achievedRate: commits.size / sentS,
        seconds: sentS,
        commits: commits.size,
        readSides: Object.fromEntries(ids.map((rs) => [rs, { ...judge(rs, deliveries, commits), ...(rs === "flaky" ? { failuresInjected: failed } : {}) }])),
        central: centralStore(before, after, commits.size),
        batches: batchStats(before, after),
        drainS,
        commandErrors: errors,
        workerd,
      };
      const c = row.central;
      console.log(
        `  W4 window ${window} s, ${rate}/s: ${row.commits} commits at ${row.achievedRate.toFixed(0)}/s; ${JSON.stringify(row.readSides)}; central store per event: rows written ${c.rowsWrittenPerEvent.toFixed(3)} ${JSON.stringify(roundAll(c.split))}, requests ${c.requestsPerEvent.toFixed(3)} (D1 ${c.d1StatementsPerEvent.toFixed(4)}), partition SQL statements ${c.partitionStatementsPerEvent.toFixed(2)}; events/entity/batch ${row.batches.eventsPerEntityPerBatch.toFixed(2)}, drain ${drainS.toFixed(1)} s; workerd ${workerd.cpuMsPerEvent.toFixed(2)} CPU ms/event, main thread on a core ${pct(workerd.main.onCpu)}, waiting for one ${pct(workerd.main.waitingForCore)}`,
      );
      out.push(row);
    }
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

function roundAll(o: object): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round((v as number) * 1000) / 1000]));
}

/** One W5 step: one read-side count at one offered rate. */
export interface W5Step {
  readSides: number;
  targetRate: number;
  /** Commits acknowledged per second of the send window. */
  committedRate: number;
  seconds: number;
  commits: number;
  commandErrors: number;
  /** Over every read side's deliveries of the step. */
  lagP50Ms: number;
  lagP99Ms: number;
  /** Seconds from the last reply until every read side had every committed revision (or the wait ran out). */
  drainS: number;
  drained: boolean;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  /** The central store over the step (its drain included): requests and rows written per second of the send window, and per event. */
  centralRequestsPerS: number;
  centralRowsWrittenPerS: number;
  central: CentralStore;
  batches: BatchStats;
  workerd: WorkerdUse;
  bounded: boolean;
  /** Why the step is not bounded. */
  why?: string;
}

/** W5's answer for one read-side count: the highest bounded offered rate, and every step run. */
export interface W5Row {
  readSides: number;
  /** The highest offered rate whose step was bounded (undefined: not even the first). */
  maxBoundedRate?: number;
  best?: W5Step;
  steps: W5Step[];
}

/**
 * W5: for 1, 2 and 4 read sides (all answering ok), step an open-loop rate up over 100 entities.
 * A step is bounded when lag p99 < `w5LagP99LimitMs`, the backlog drains within `w5DrainLimitS`
 * after the last reply, nothing is lost, and the commit path kept up (≥ 90% of the offered rate,
 * at most 1% of commands failing). The first unbounded step ends the series for that read-side
 * count; its backlog is waited out (bounded) so it does not weigh on the next configuration.
 */
export async function w5(stack: Stack, plan: Plan): Promise<W5Row[]> {
  const out: W5Row[] = [];
  for (const n of plan.w5ReadSides) {
    const worker = `rs${n}` as ReadSideWorker;
    const host = hostOf(worker);
    const target = statehouseTarget(worker as never, `Statehouse ${worker}`);
    const ids = w5ReadSideIds(n);
    await warmUp(stack, worker, ids);
    const row: W5Row = { readSides: n, steps: [] };
    for (const rate of plan.w5Rates) {
      await getJson(stack.url, READ_SIDE_HOST, "/deliveries?reset=1");
      const before = await shCounters(stack, host);
      const prefix = uniqueId(`w5-${n}-${rate}`);
      const total = Math.round(rate * plan.w5StepSeconds);
      const threads0 = readThreads(stack.workerdPid);
      const t0 = Date.now();
      const { commits, errors } = await openLoop(stack, target, prefix, rate, total, plan.w5StepSeconds * 1000 + 5000, plan.smallBytes);
      const sentS = (Date.now() - t0) / 1000;
      const { deliveries, drainS, missing } = await drain(ids, commits, stack, 60);
      const workerd = workerdUse(stack, threads0, t0, commits.size);
      const after: ShCounters = await settledCounters(stack, host);
      const judged = ids.map((rs) => judge(rs, deliveries, commits, prefix));
      const lags = deliveries.filter(([, e]) => e.startsWith(prefix)).flatMap(([, e, r, at]) => {
        const c = commits.get(`${e}#${r}`);
        return c === undefined ? [] : [Math.max(0, at - c)];
      });
      const central = centralStore(before, after, commits.size);
      const step: W5Step = {
        readSides: n,
        targetRate: rate,
        committedRate: commits.size / sentS,
        seconds: sentS,
        commits: commits.size,
        commandErrors: errors,
        lagP50Ms: percentile(lags, 50),
        lagP99Ms: percentile(lags, 99),
        drainS,
        drained: missing === 0,
        lost: missing,
        duplicates: judged.reduce((a, j) => a + j.duplicates, 0),
        outOfOrder: judged.reduce((a, j) => a + j.outOfOrder, 0),
        centralRequestsPerS: (central.requestsPerEvent * commits.size) / sentS,
        centralRowsWrittenPerS: (central.rowsWrittenPerEvent * commits.size) / sentS,
        central,
        batches: batchStats(before, after),
        workerd,
        bounded: false,
      };
      const why: string[] = [];
      if (!(step.lagP99Ms < plan.w5LagP99LimitMs)) why.push(`lag p99 ${step.lagP99Ms.toFixed(0)} ms ≥ ${plan.w5LagP99LimitMs}`);
      if (!step.drained) why.push(`not drained in ${drainS.toFixed(0)} s (${missing} deliveries missing)`);
      else if (drainS > plan.w5DrainLimitS) why.push(`drain ${drainS.toFixed(1)} s > ${plan.w5DrainLimitS} s`);
      if (step.committedRate < 0.9 * rate) why.push(`committed ${step.committedRate.toFixed(0)}/s < 90% of offered`);
      // A few commands failing on the saturated write side (not the read side) do not end the series.
      if (errors > 0.01 * total) why.push(`${errors} command errors (over 1%)`);
      step.bounded = why.length === 0;
      if (!step.bounded) step.why = why.join("; ");
      row.steps.push(step);
      console.log(
        `  W5 ${n} read side${n > 1 ? "s" : ""} @ ${rate}/s: ${commits.size} commits at ${step.committedRate.toFixed(0)}/s, lag p50 ${step.lagP50Ms} p99 ${step.lagP99Ms} ms, drain ${drainS.toFixed(1)} s, central store ${step.centralRequestsPerS.toFixed(0)} requests/s ${step.centralRowsWrittenPerS.toFixed(0)} rows written/s (${central.rowsWrittenPerEvent.toFixed(2)} rows/event), events/entity/batch ${step.batches.eventsPerEntityPerBatch.toFixed(2)}, workerd ${workerd.cpuMsPerEvent.toFixed(2)} CPU ms/event, main thread on a core ${pct(workerd.main.onCpu)} — ${step.bounded ? "bounded" : `NOT bounded: ${step.why}`}`,
      );
      if (step.bounded) {
        row.maxBoundedRate = rate;
        row.best = step;
      } else {
        break;
      }
    }
    out.push(row);
  }
  return out;
}
