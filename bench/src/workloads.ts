// W1–W3 as the issue defines them, each bounded in count and time, and the open-loop load W4, W5 and S2–S3 use.
import { getJson, request, runLoad } from "./client.js";
import { measure, mergeRounds, sleep, entityPicker, snapshotCounters, type Row } from "./measure.js";
import { percentile } from "./stats.js";
import { hostOf, type Stack } from "./stack.js";
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
  /** W4: offered rates with the default batch window (0), rates also run with each other window of W4_BATCH_WINDOWS, seconds per rate. */
  w4Rates: number[];
  w4WindowRates: number[];
  w4Seconds: number;
  /** W5: read-side counts, offered rates (stepped up), seconds per step, and what "bounded" means. */
  w5ReadSides: number[];
  w5Rates: number[];
  w5StepSeconds: number;
  /** Headroom: batches per measurement, entities per batch, read sides moved, partitions driven at once in one process, and in that many processes. */
  headroomBatches: number;
  headroomEntities: number[];
  headroomSides: number[];
  headroomPartitions: number[];
  headroomProcesses: number[];
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
/** An id no earlier measurement of this run used. */
export const uniqueId = (what: string) => `${what}-${Date.now().toString(36)}-${++runId}`;

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
