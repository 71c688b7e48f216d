// W1–W4 as the issue defines them, each bounded in count and time.
import { getJson, request, runLoad } from "./client.js";
import { measure, mergeRounds, sleep, entityPicker, snapshotCounters, type Row } from "./measure.js";
import { percentile } from "./stats.js";
import { hostOf, w5ReadSideIds, type ReadSideWorker, type Stack } from "./stack.js";
import { PROCESS_COMMAND, type Target, statehouseTarget } from "./targets.js";
import { readField, readVarintField } from "../workers/proto-wire.js";
import type { Peer } from "./peer.js";

/** Sizes and bounds of a run. */
export interface Plan {
  /** Ladder rungs run in W1 (B1, B2 and these with both transports). */
  w1Rungs: string[];
  w1Rounds: number;
  w2Targets: "all" | "core";
  w1Commands: number;
  w1LargeCommands: number;
  w1Concurrency: number;
  w2Commands: number;
  w2Entities: number[];
  w2Concurrency: number;
  w2ScalingCommands: number;
  w2ScalingEntities: number[];
  w3Sizes: number[];
  w3Repeats: number;
  w4Rates: number[];
  w4Seconds: number;
  /** W5: read-side counts, offered rates (stepped up), seconds per step, and what "bounded" means. */
  w5ReadSides: number[];
  w5Rates: number[];
  w5StepSeconds: number;
  /** Batches per D1 headroom measurement. */
  d1Batches: number;
  w5LagP99LimitMs: number;
  w5DrainLimitS: number;
  runTimeLimitMs: number;
  smallBytes: number;
  largeBytes: number;
  /** S1: subscriber counts (0 = the baseline without streams), commands/s and seconds, idle window, how streams open. */
  s1Subscribers: number[];
  s1Rate: number;
  s1Seconds: number;
  s1IdleSeconds: number;
  s1OpenConcurrency: number;
  s1OpenLimitS: number;
  /** S2: offered rates, seconds each, entities, log readers. */
  s2Rates: number[];
  s2Seconds: number;
  s2Entities: number;
  s2Subscribers: number;
  /** S3: [commands/s, entities] steps and seconds each. */
  s3Steps: [number, number][];
  s3Seconds: number;
}

let runId = 0;
const uniqueId = (what: string) => `${what}-${Date.now().toString(36)}-${++runId}`;

/**
 * W1: one entity, sequential then `w1Concurrency` in flight. Targets take turns in `w1Rounds`
 * rounds (each its own entity, continued across rounds), so drift on a shared 2-core machine
 * (JIT, GC, disk) spreads over all of them instead of favouring whichever ran first.
 */
export async function w1(stack: Stack, plan: Plan, targets: Target[], payloadBytes: number, total: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const concurrency of [1, plan.w1Concurrency]) {
    const parts = new Map<string, Row[]>();
    const ids = new Map(targets.map((t) => [t.name, uniqueId(`w1-${t.name.replace(/\W+/g, "_")}`)]));
    const per = Math.ceil(total / plan.w1Rounds);
    for (let round = 0; round < plan.w1Rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const id = ids.get(t.name) as string;
        const row = await measure(stack, t, {
          workload: "W1",
          total: per,
          concurrency,
          payloadBytes,
          entityOf: () => id,
          entities: 1,
          timeLimitMs: plan.runTimeLimitMs / plan.w1Rounds,
          variant: variantOf(t),
          cpuPid: t.group === "peer" ? peerPid.get(t.name) : undefined,
          warmup: round === 0 ? 40 : 0,
        });
        parts.set(t.name, [...(parts.get(t.name) ?? []), row]);
      }
    }
    for (const t of targets) {
      const row = mergeRounds(parts.get(t.name) ?? []);
      print(row);
      rows.push(row);
    }
  }
  return rows;
}

/** B0: the append loop inside one object (no network), batched and with a durable commit per row. */
export async function b0(stack: Stack, plan: Plan): Promise<Row[]> {
  const rows: Row[] = [];
  for (const durable of [false, true]) {
    const n = plan.w1Commands * 5;
    const id = uniqueId("b0");
    await getJson(stack.url, hostOf("ladder"), `/b0/${id}-warm?n=100&durable=${durable ? 1 : 0}`);
    const t0 = process.hrtime.bigint();
    await getJson(stack.url, hostOf("ladder"), `/b0/${id}?n=${n}&size=${plan.smallBytes}&durable=${durable ? 1 : 0}`);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const row: Row = {
      workload: "W1",
      system: durable ? "B0 (sync per row)" : "B0",
      group: "ladder",
      concurrency: 1,
      payloadBytes: plan.smallBytes,
      entities: 1,
      commands: n,
      errors: 0,
      perSecond: n / (ms / 1000),
      p50Ms: NaN,
      p99Ms: NaN,
      meanMs: ms / n,
      workerdCpuMs: NaN,
      clientCpuMs: NaN,
      elapsedS: ms / 1000,
      note: `${n} appends in one request; mean = total / n`,
    };
    print(row);
    rows.push(row);
  }
  return rows;
}

/** W2: many entities, `w2Concurrency` in flight, uniform and skewed. */
export async function w2(stack: Stack, plan: Plan, targets: Target[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const entities of plan.w2Entities) {
    for (const dist of ["uniform", "skewed"] as const) {
      for (const t of targets) {
        rows.push(await measureSpread(stack, plan, t, "W2", plan.w2Commands, entities, dist));
      }
    }
  }
  return rows;
}

/** W2 scaling: aggregate commands/s as the number of entities grows (uniform, same concurrency). */
export async function w2Scaling(stack: Stack, plan: Plan, targets: Target[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const t of targets) {
    for (const entities of plan.w2ScalingEntities) {
      rows.push(await measureSpread(stack, plan, t, "W2-scaling", plan.w2ScalingCommands, entities, "uniform"));
    }
  }
  return rows;
}

/** One W2-style run: `total` small commands spread over `entities` fresh entities, 64 in flight. */
async function measureSpread(
  stack: Stack,
  plan: Plan,
  t: Target,
  workload: "W2" | "W2-scaling",
  total: number,
  entities: number,
  dist: "uniform" | "skewed",
): Promise<Row> {
  const row = await measure(stack, t, {
    workload,
    total,
    concurrency: plan.w2Concurrency,
    payloadBytes: plan.smallBytes,
    entityOf: entityPicker(uniqueId(`${workload === "W2" ? "w2" : "w2s"}-${t.group}`), entities, dist),
    entities,
    distribution: dist,
    timeLimitMs: plan.runTimeLimitMs,
    variant: variantOf(t),
    cpuPid: t.group === "peer" ? peerPid.get(t.name) : undefined,
  });
  print(row);
  return row;
}

/** One W3 measurement. */
export interface RebuildRow {
  system: string;
  snapshots: boolean;
  events: number;
  seedS: number;
  coldP50Ms: number;
  coldMaxMs: number;
  warmP50Ms: number;
  /** SQLite rows read by the restarted object up to and including its first command (every statement). */
  rowsReadCold: number;
  /** The same, as Statehouse's own rowCounts() reports it (journal statements only). */
  rowsReadColdStatehouse?: number;
  repeats: number;
}

/** W3: first command after the object is evicted, for 1K/10K/100K events, snapshots on and off. */
export async function w3(stack: Stack, plan: Plan): Promise<RebuildRow[]> {
  const out: RebuildRow[] = [];
  for (const [variant, snapshots] of [["cold", true], ["nosnap", false]] as const) {
    const target = statehouseTarget(variant);
    for (const n of plan.w3Sizes) {
      const id = uniqueId(`w3-${variant}-${n}`);
      const t0 = Date.now();
      await getJson(stack.url, hostOf(variant), `/__bench/seed?id=${id}&n=${n}&size=${plan.smallBytes}`);
      const seedS = (Date.now() - t0) / 1000;
      const cold: number[] = [];
      const rowsRead: number[] = [];
      const own: number[] = [];
      for (let r = 0; r < plan.w3Repeats; r++) {
        await getJson(stack.url, hostOf(variant), `/__bench/evict?id=${id}`);
        const before = await snapshotCounters(stack, variant);
        const res = await runLoad(stack.url, 1, 1, () => target.shot(id, plan.smallBytes), { timeLimitMs: 60_000 });
        if (res.errors > 0) throw new Error(`W3 cold command failed: ${res.firstError}`);
        const after = await snapshotCounters(stack, variant);
        cold.push(res.latenciesMs[0] as number);
        rowsRead.push((after.sh?.sql.rowsRead ?? 0) - (before.sh?.sql.rowsRead ?? 0));
        own.push((await getJson<{ rowsRead: number }>(stack.url, hostOf(variant), `/__bench/rowcounts?id=${id}`)).rowsRead);
      }
      const warm = await runLoad(stack.url, 20, 1, () => target.shot(id, plan.smallBytes), { timeLimitMs: 30_000 });
      const row: RebuildRow = {
        system: `Statehouse (${snapshots ? "snapshots every 100" : "snapshots off"})`,
        snapshots,
        events: n,
        seedS,
        coldP50Ms: percentile(cold, 50),
        coldMaxMs: Math.max(...cold),
        warmP50Ms: percentile(warm.latenciesMs, 50),
        rowsReadCold: percentile(rowsRead, 50),
        rowsReadColdStatehouse: percentile(own, 50),
        repeats: plan.w3Repeats,
      };
      console.log(`  W3 ${row.system} ${n} events: cold p50 ${row.coldP50Ms.toFixed(2)} ms (max ${row.coldMaxMs.toFixed(2)}), warm p50 ${row.warmP50Ms.toFixed(2)} ms, rows read ${row.rowsReadCold} (Statehouse's own count ${row.rowsReadColdStatehouse})`);
      out.push(row);
    }
  }
  return out;
}

/** W3's equivalent on the peer: Emmett has no snapshots, so every command reads the whole stream. */
export async function w3Peer(peer: Peer, plan: Plan): Promise<RebuildRow[]> {
  const out: RebuildRow[] = [];
  for (const n of plan.w3Sizes) {
    const id = uniqueId(`w3-emmett-${n}`);
    const t0 = Date.now();
    const seeded = await request(peer.url, peer.url.host, `/seed/${id}?n=${n}&size=${plan.smallBytes}`, new Uint8Array());
    if (seeded.status !== 200) throw new Error(`peer seed failed: ${seeded.body.toString()}`);
    const seedS = (Date.now() - t0) / 1000;
    const body = new TextEncoder().encode(JSON.stringify({ p: "a".repeat(plan.smallBytes) }));
    const res = await runLoad(peer.url, plan.w3Repeats, 1, () => ({ host: peer.url.host, path: `/commands/${id}`, body }), { timeLimitMs: 120_000 });
    const row: RebuildRow = {
      system: `Emmett ${peer.mode} (no snapshots: replays the stream)`,
      snapshots: false,
      events: n,
      seedS,
      coldP50Ms: percentile(res.latenciesMs, 50),
      coldMaxMs: Math.max(...res.latenciesMs),
      warmP50Ms: percentile(res.latenciesMs, 50),
      rowsReadCold: n,
      repeats: res.ok,
    };
    console.log(`  W3 ${row.system} ${n} events: every command p50 ${row.coldP50Ms.toFixed(2)} ms (max ${row.coldMaxMs.toFixed(2)}), events read ${n}`);
    out.push(row);
  }
  return out;
}

/** One W4 rate. */
export interface LagRow {
  targetRate: number;
  achievedRate: number;
  seconds: number;
  commits: number;
  readSides: Record<string, { lagP50Ms: number; lagP99Ms: number; duplicates: number; outOfOrder: number; lost: number; failuresInjected?: number }>;
  d1QueriesPerEvent: number;
  d1RowsWrittenPerEventPerReadSide: number;
  /** What the queue handed the consumer during the rate (see BatchStats). */
  batches?: BatchStats;
  drainS: number;
  commandErrors: number;
}

/** Consumer batches during a run: queue() calls, messages per batch, and events per entity per batch. */
export interface BatchStats {
  batches: number;
  messagesPerBatch: number;
  entitiesPerBatch: number;
  /** Revisions a batch's messages cover per entity (the cursor writes of a batch are amortised over these). */
  eventsPerEntityPerBatch: number;
}

type QueueCounters = { batches: number; messages: number; groups: number; events: number };
type RsCounters = { d1: { queries: number; rowsWritten: number }; queue?: QueueCounters };

/**
 * Waits (at most 30 s) until the consumer is idle: no new queue() call and no D1 statement for 1 s.
 * Deliveries can all be in while messages that have nothing left to deliver are still queued (a
 * delivery reads the journal up to the head, so earlier messages can cover later ones); their D1
 * statements belong to this run, not the next.
 */
async function settledCounters(stack: Stack, host: string): Promise<RsCounters> {
  const t0 = Date.now();
  let last = await getJson<RsCounters>(stack.url, host, "/__bench/counters");
  let stableSince = Date.now();
  while (Date.now() - t0 < 30_000 && Date.now() - stableSince < 1000) {
    await sleep(200);
    const now = await getJson<RsCounters>(stack.url, host, "/__bench/counters");
    if (now.d1.queries !== last.d1.queries || now.queue?.batches !== last.queue?.batches) stableSince = Date.now();
    last = now;
  }
  return last;
}

function batchStats(before: RsCounters, after: RsCounters): BatchStats | undefined {
  if (before.queue === undefined || after.queue === undefined) return undefined;
  const d = (k: keyof QueueCounters) => after.queue![k] - before.queue![k];
  return {
    batches: d("batches"),
    messagesPerBatch: d("messages") / Math.max(1, d("batches")),
    entitiesPerBatch: d("groups") / Math.max(1, d("batches")),
    eventsPerEntityPerBatch: d("events") / Math.max(1, d("groups")),
  };
}

/** W4: steady rate for `w4Seconds`, two read sides (one failing 1%), commit-to-delivery lag. */
export async function w4(stack: Stack, plan: Plan): Promise<LagRow[]> {
  const out: LagRow[] = [];
  const target = statehouseTarget("rs" as never, "Statehouse rs");
  const readSideHost = "readside.bench";
  const ids = ["ok", "flaky"];
  for (const rate of plan.w4Rates) {
    await getJson(stack.url, readSideHost, "/deliveries?reset=1");
    const before = await getJson<RsCounters>(stack.url, hostOf("rs"), "/__bench/counters");
    const prefix = uniqueId(`w4-${rate}`);
    const total = rate * plan.w4Seconds;
    const t0 = Date.now();
    const { commits, errors } = await openLoop(stack, target, prefix, rate, total, plan.w4Seconds * 1000 + 10_000, plan.smallBytes);
    const sentS = (Date.now() - t0) / 1000;
    // Wait (bounded) until both read sides have every committed revision.
    const drain0 = Date.now();
    let got: { calls: number; failed: number; deliveries: [string, string, number, number][] } = { calls: 0, failed: 0, deliveries: [] };
    while (Date.now() - drain0 < 60_000) {
      got = await getJson(stack.url, readSideHost, "/deliveries");
      const have = new Set(got.deliveries.map(([rs, e, r]) => `${rs}|${e}#${r}`));
      if (ids.every((rs) => [...commits.keys()].every((k) => have.has(`${rs}|${k}`)))) break;
      await sleep(250);
    }
    const drainS = (Date.now() - drain0) / 1000;
    const after = await settledCounters(stack, hostOf("rs"));
    const row: LagRow = {
      targetRate: rate,
      achievedRate: commits.size / sentS,
      seconds: sentS,
      commits: commits.size,
      readSides: {},
      d1QueriesPerEvent: (after.d1.queries - before.d1.queries) / Math.max(1, commits.size),
      d1RowsWrittenPerEventPerReadSide: (after.d1.rowsWritten - before.d1.rowsWritten) / Math.max(1, commits.size * ids.length),
      batches: batchStats(before, after),
      drainS,
      commandErrors: errors,
    };
    for (const rs of ids) {
      const seen = new Map<string, number>();
      const last = new Map<string, number>();
      const lags: number[] = [];
      let duplicates = 0;
      let outOfOrder = 0;
      for (const [side, entity, rev, at] of got.deliveries) {
        if (side !== rs) continue;
        const key = `${entity}#${rev}`;
        if (seen.has(key)) {
          duplicates++;
          continue;
        }
        seen.set(key, at);
        const prev = last.get(entity) ?? 0;
        if (rev !== prev + 1) outOfOrder++;
        last.set(entity, Math.max(prev, rev));
        const committed = commits.get(key);
        if (committed !== undefined) lags.push(Math.max(0, at - committed));
      }
      const lost = [...commits.keys()].filter((k) => !seen.has(k)).length;
      row.readSides[rs] = {
        lagP50Ms: percentile(lags, 50),
        lagP99Ms: percentile(lags, 99),
        duplicates,
        outOfOrder,
        lost,
        ...(rs === "flaky" ? { failuresInjected: got.failed } : {}),
      };
    }
    console.log(`  W4 ${rate}/s: ${row.commits} commits at ${row.achievedRate.toFixed(0)}/s; ${JSON.stringify(row.readSides)}; D1 queries/event ${row.d1QueriesPerEvent.toFixed(2)}, rows written/event/read side ${row.d1RowsWrittenPerEventPerReadSide.toFixed(2)}, events/entity/batch ${row.batches?.eventsPerEntityPerBatch.toFixed(2) ?? "–"}, drain ${drainS.toFixed(1)} s`);
    out.push(row);
  }
  return out;
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
  /** D1 statements and rows written of the step (its drain included), per second of the send window. */
  d1QueriesPerS: number;
  d1RowsWrittenPerS: number;
  d1QueriesPerEvent: number;
  d1RowsWrittenPerEventPerReadSide: number;
  batches?: BatchStats;
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
 * at most 1% of commands failing).
 * The first unbounded step ends the series for that read-side count; its backlog is waited out
 * (bounded) so it does not weigh on the next configuration.
 */
export async function w5(stack: Stack, plan: Plan): Promise<W5Row[]> {
  const out: W5Row[] = [];
  const readSideHost = "readside.bench";
  for (const n of plan.w5ReadSides) {
    const worker = `rs${n}` as ReadSideWorker;
    const host = hostOf(worker);
    const target = statehouseTarget(worker as never, `Statehouse ${worker}`);
    const ids = w5ReadSideIds(n);
    const row: W5Row = { readSides: n, steps: [] };
    for (const rate of plan.w5Rates) {
      await getJson(stack.url, readSideHost, "/deliveries?reset=1");
      const before = await getJson<RsCounters>(stack.url, host, "/__bench/counters");
      const prefix = uniqueId(`w5-${n}-${rate}`);
      const total = Math.round(rate * plan.w5StepSeconds);
      const t0 = Date.now();
      const { commits, errors } = await openLoop(stack, target, prefix, rate, total, plan.w5StepSeconds * 1000 + 5000, plan.smallBytes);
      const sentS = (Date.now() - t0) / 1000;
      // Drain: poll new deliveries (incrementally) until every read side has every committed revision.
      const drain0 = Date.now();
      const deliveries: [string, string, number, number][] = [];
      const missing = new Set<string>();
      for (const rs of ids) for (const k of commits.keys()) missing.add(`${rs}|${k}`);
      let drainS = NaN;
      while (Date.now() - drain0 < 60_000) {
        const got = await getJson<{ deliveries: [string, string, number, number][] }>(stack.url, readSideHost, `/deliveries?from=${deliveries.length}`);
        for (const d of got.deliveries) {
          deliveries.push(d);
          missing.delete(`${d[0]}|${d[1]}#${d[2]}`);
        }
        if (missing.size === 0) {
          drainS = (Date.now() - drain0) / 1000;
          break;
        }
        await sleep(100);
      }
      const drained = missing.size === 0;
      if (!drained) drainS = (Date.now() - drain0) / 1000;
      const after = await settledCounters(stack, host);
      const lags: number[] = [];
      let duplicates = 0;
      let outOfOrder = 0;
      const seen = new Set<string>();
      const last = new Map<string, number>();
      for (const [side, entity, rev, at] of deliveries) {
        if (!entity.startsWith(prefix)) continue;
        const key = `${side}|${entity}#${rev}`;
        if (seen.has(key)) {
          duplicates++;
          continue;
        }
        seen.add(key);
        const prev = last.get(`${side}|${entity}`) ?? 0;
        if (rev !== prev + 1) outOfOrder++;
        last.set(`${side}|${entity}`, Math.max(prev, rev));
        const committed = commits.get(`${entity}#${rev}`);
        if (committed !== undefined) lags.push(Math.max(0, at - committed));
      }
      const commitsN = commits.size;
      const d1q = after.d1.queries - before.d1.queries;
      const d1w = after.d1.rowsWritten - before.d1.rowsWritten;
      const step: W5Step = {
        readSides: n,
        targetRate: rate,
        committedRate: commitsN / sentS,
        seconds: sentS,
        commits: commitsN,
        commandErrors: errors,
        lagP50Ms: percentile(lags, 50),
        lagP99Ms: percentile(lags, 99),
        drainS,
        drained,
        lost: missing.size,
        duplicates,
        outOfOrder,
        d1QueriesPerS: d1q / sentS,
        d1RowsWrittenPerS: d1w / sentS,
        d1QueriesPerEvent: d1q / Math.max(1, commitsN),
        d1RowsWrittenPerEventPerReadSide: d1w / Math.max(1, commitsN * n),
        batches: batchStats(before, after),
        bounded: false,
      };
      const why: string[] = [];
      if (!(step.lagP99Ms < plan.w5LagP99LimitMs)) why.push(`lag p99 ${step.lagP99Ms.toFixed(0)} ms ≥ ${plan.w5LagP99LimitMs}`);
      if (!drained) why.push(`not drained in ${drainS.toFixed(0)} s (${missing.size} deliveries missing)`);
      else if (drainS > plan.w5DrainLimitS) why.push(`drain ${drainS.toFixed(1)} s > ${plan.w5DrainLimitS} s`);
      if (step.committedRate < 0.9 * rate) why.push(`committed ${step.committedRate.toFixed(0)}/s < 90% of offered`);
      // A few commands failing on the saturated write side (not the read side) do not end the series.
      if (errors > 0.01 * total) why.push(`${errors} command errors (over 1%)`);
      step.bounded = why.length === 0;
      if (!step.bounded) step.why = why.join("; ");
      row.steps.push(step);
      console.log(
        `  W5 ${n} read side${n > 1 ? "s" : ""} @ ${rate}/s: ${commitsN} commits at ${step.committedRate.toFixed(0)}/s, lag p50 ${step.lagP50Ms} p99 ${step.lagP99Ms} ms, drain ${drainS.toFixed(1)} s, D1 ${step.d1QueriesPerS.toFixed(0)} q/s ${step.d1RowsWrittenPerS.toFixed(0)} rows written/s, events/entity/batch ${step.batches?.eventsPerEntityPerBatch.toFixed(2) ?? "–"} — ${step.bounded ? "bounded" : `NOT bounded: ${step.why}`}`,
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

/** Pid of each peer target's process, for its CPU. */
export const peerPid = new Map<string, number>();

function variantOf(t: Target) {
  if (t.group !== "statehouse") return undefined;
  const m = /^Statehouse (\w+)/.exec(t.name);
  return (m?.[1] ?? "sb") as "sb" | "http";
}

/** Prints one row as it is measured. */
export function print(r: Row): void {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "–");
  const cost = r.cost ? ` | rows r/w ${f(r.cost.usage.rowsRead)}/${f(r.cost.usage.rowsWritten)}, queue ${f(r.cost.usage.queueMessages)}, $${f(r.cost.usdPerMillion)}/M` : "";
  console.log(
    `  ${r.workload} ${r.system.padEnd(34)} c=${String(r.concurrency).padEnd(3)} ${String(r.payloadBytes).padStart(5)} B ${r.entities} ent ${r.distribution ?? ""}: ${f(r.perSecond, 0)}/s p50 ${f(r.p50Ms)} p99 ${f(r.p99Ms)} ms, workerd CPU ${f(r.workerdCpuMs, 3)} ms/cmd${cost}${r.errors ? ` ERRORS ${r.errors}` : ""}`,
  );
}

export { PROCESS_COMMAND };

/** One D1 headroom measurement: the consumer's D1 round trips alone, back to back. */
export interface D1CapacityRow {
  batches: number;
  entities: number;
  sides: number;
  seconds: number;
  batchesPerSecond: number;
  eventsPerSecond: number;
  queriesPerSecond: number;
}

/**
 * D1 headroom: how many events per second one D1 database takes from the read-side consumer when
 * nothing else is in the way (no handler calls, no journal reads), for full batches (100 entities,
 * one event each) and for 1, 2 and 4 read sides. Bounded by `batches` per row.
 */
export async function d1Capacity(stack: Stack, plan: Plan): Promise<D1CapacityRow[]> {
  const out: D1CapacityRow[] = [];
  // A read-side configuration (its D1 has the migrations); W4 and W5 are done with it by now.
  const host = hostOf("rs1" as ReadSideWorker);
  for (const sides of [1, 2, 4]) {
    for (const entities of [10, 100]) {
      const row = await getJson<D1CapacityRow>(stack.url, host, `/__bench/d1-capacity?batches=${plan.d1Batches}&entities=${entities}&sides=${sides}`);
      console.log(`  D1 capacity, ${sides} read side(s), ${entities} entities per batch: ${Math.round(row.eventsPerSecond)} events/s (${Math.round(row.queriesPerSecond)} queries/s)`);
      out.push(row);
    }
  }
  return out;
}

/**
 * An open-loop load over `entities` entities (100 unless said): `total` commands at `rate` per
 * second (at most 512 in flight), stopping after `limitMs`. Returns each committed
 * "entity#revision" with the time its reply arrived, and the number of failed commands.
 */
export async function openLoop(stack: Stack, target: Target, prefix: string, rate: number, total: number, limitMs: number, bytes: number, entities = 100) {
  const commits = new Map<string, number>();
  let errors = 0;
  let firstError: string | undefined;
  let inFlight = 0;
  const t0 = Date.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / rate - Date.now();
    if (wait > 1) await sleep(wait);
    if (Date.now() - t0 > limitMs) break;
    while (inFlight >= 512 && Date.now() - t0 < limitMs) await sleep(1);
    inFlight++;
    const entity = `${prefix}-${i % entities}`;
    const s = target.shot(entity, bytes);
    pending.push(
      request(stack.url, s.host, s.path, s.body, s.headers)
        .then((a) => {
          if (a.status !== 200) {
            errors++;
            firstError ??= `${a.status} ${a.body.toString().slice(0, 200)}`;
            return;
          }
          const rev = readVarintField(readField(a.body, 2) ?? new Uint8Array(), 2) ?? 0;
          commits.set(`${entity}#${rev}`, Date.now());
        })
        .catch((cause: unknown) => {
          errors++;
          firstError ??= String(cause);
        })
        .finally(() => {
          inFlight--;
        }),
    );
  }
  await Promise.all(pending);
  return { commits, errors, firstError };
}

/** Paired latency of two targets: medians of each, and the median of per-pair differences. */
export interface PairedRow {
  a: string;
  b: string;
  payloadBytes: number;
  pairs: number;
  aP50Ms: number;
  bP50Ms: number;
  /** Median of (a − b) over pairs sent back to back: drift on a shared machine cancels out. */
  diffP50Ms: number;
}

/**
 * One command at a time, alternating between targets `a` and `b` (each on its own entity), so both
 * see the same moments of a noisy machine; the paired difference is what one path saves over the other.
 */
export async function pairedLatency(stack: Stack, a: Target, b: Target, payloadBytes: number, pairs: number): Promise<PairedRow> {
  const ids = [uniqueId("pair-a"), uniqueId("pair-b")] as const;
  const one = async (t: Target, id: string): Promise<number> => {
    const s = t.shot(id, payloadBytes);
    const start = process.hrtime.bigint();
    const res = await request(stack.url, s.host, s.path, s.body, s.headers);
    if (res.status !== 200) throw new Error(`${t.name} answered ${res.status}: ${res.body.toString().slice(0, 200)}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  for (let i = 0; i < 40; i++) await one(i % 2 === 0 ? a : b, i % 2 === 0 ? ids[0] : ids[1]);
  const la: number[] = [];
  const lb: number[] = [];
  const diff: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternate which goes first, so neither always follows the other.
    let x: number;
    let y: number;
    if (i % 2 === 0) {
      x = await one(a, ids[0]);
      y = await one(b, ids[1]);
    } else {
      y = await one(b, ids[1]);
      x = await one(a, ids[0]);
    }
    la.push(x);
    lb.push(y);
    diff.push(x - y);
  }
  const row = { a: a.name, b: b.name, payloadBytes, pairs, aP50Ms: percentile(la, 50), bP50Ms: percentile(lb, 50), diffP50Ms: percentile(diff, 50) };
  console.log(`  paired ${a.name} vs ${b.name}, ${payloadBytes} B, ${pairs} pairs: p50 ${row.aP50Ms.toFixed(3)} vs ${row.bP50Ms.toFixed(3)} ms, median difference ${row.diffP50Ms.toFixed(3)} ms`);
  return row;
}
