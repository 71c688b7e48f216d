// npm run bench [-- --quick] [--only=w1,w2,w3,w4,w5,d1,s1,s2,s3,cmd,archive] [--archive-events=N] [--no-peer] [--out=name] [--profile] [--verbose]: the ladder, Statehouse and the Emmett peer, one run.
import os from "node:os";
import path from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { startStack, type Stack } from "./stack.js";
import { peerInstalled, startPeer, type Peer } from "./peer.js";
import { ladderTarget, peerTarget, statehouseDirectTarget, statehouseRouterTarget, statehouseTarget, type Target } from "./targets.js";
import { s1, s2, s3, type S1Result, type S2Row, type S3Row } from "./streams.js";
import { b0, pairedLatency, peerPid, w1, w2, w2Scaling, w3, w3Peer, type PairedRow, type Plan, type RebuildRow } from "./workloads.js";
import { w4, w5, type LagRow, type W5Row } from "./readside.js";
import { headroom, type HeadroomRow } from "./headroom.js";
import { WorkerLogs, type LogSummary } from "./worker-logs.js";
import type { Row } from "./measure.js";
import { PRICES, streamCost, type StreamCost } from "./cost.js";
import { renderReport } from "./report.js";
import { runProfiles } from "./profile.js";
import { archiveStep, type ArchivePlan, type ArchiveResult } from "./archive.js";

const FULL: Plan = {
  w1Rungs: ["b3", "b4", "b4x2"],
  w1Rounds: 4,
  w2Targets: "all",
  w1Commands: 2000,
  w1LargeCommands: 500,
  w1Concurrency: 16,
  w2Commands: 20_000,
  w2Entities: [100, 1000],
  w2Concurrency: 64,
  w2ScalingCommands: 3000,
  w2ScalingEntities: [1, 10, 100, 1000],
  w3Sizes: [1000, 10_000, 100_000],
  w3Repeats: 5,
  w4Rates: [50, 200, 1000],
  w4WindowRates: [50, 200],
  w4Seconds: 30,
  w5ReadSides: [1, 2, 4],
  w5Rates: [50, 100, 200, 400, 800],
  w5StepSeconds: 12,
  headroomBatches: 200,
  headroomEntities: [100, 10],
  headroomSides: [4],
  headroomPartitions: [1, 4],
  headroomProcesses: [2, 4],
  w5LagP99LimitMs: 2000,
  w5DrainLimitS: 3,
  runTimeLimitMs: 20_000,
  smallBytes: 100,
  largeBytes: 64 * 1024,
  s1Subscribers: [0, 1, 100, 1000],
  s1Rate: 2,
  s1Seconds: 20,
  s1IdleSeconds: 10,
  s1OpenConcurrency: 50,
  s1OpenLimitS: 60,
  s2Rates: [100, 200],
  s2Seconds: 15,
  s2Entities: 100,
  s2Subscribers: 1,
  s3Steps: [
    [50, 100],
    [200, 100],
    [200, 10],
  ],
  s3Seconds: 10,
};
const QUICK: Plan = {
  ...FULL,
  w1Rungs: ["b3", "b4x2"],
  w1Rounds: 2,
  w2Targets: "core",
  w2Entities: [100],
  w2Commands: 1500,
  w2ScalingCommands: 800,
  w2ScalingEntities: [1, 100],
  w1Commands: 300,
  w1LargeCommands: 60,
  w3Sizes: [1000, 10_000],
  w3Repeats: 2,
  w4Rates: [50, 200],
  w4Seconds: 5,
  w5StepSeconds: 4,
  headroomBatches: 40,
  runTimeLimitMs: 8000,
  s1Subscribers: [0, 1, 100],
  s1Seconds: 5,
  s1IdleSeconds: 5,
  s2Seconds: 5,
  s3Seconds: 4,
};

/** The archive step (--only=archive): 1,000,000 events, a hot window of 50,000 (cap 100,000); quick: 100,000 and 5,000 (10,000). */
const ARCHIVE_FULL: ArchivePlan = {
  events: 1_000_000,
  entities: 100,
  perEntity: 20,
  hotEntries: 50_000,
  hotMaxEntries: 100_000,
  buildLimitS: 900,
  drainLimitS: 600,
  readLimitS: 600,
  filterRange: 40_000,
  filterRounds: 3,
  filterType: "bench.v1.Type3",
};
const ARCHIVE_QUICK: ArchivePlan = { ...ARCHIVE_FULL, events: 100_000, hotEntries: 5000, hotMaxEntries: 10_000, filterRange: 4000 };

const benchDir = path.resolve(import.meta.dirname, "..");
const repoDir = path.resolve(benchDir, "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
// "d1" (the read side's headroom: the partition store's, since D1 left the pipeline; the flag keeps its
// name) runs with w5, or alone with --only=d1. "cmd" (not in ALL): W1's command path
// only — B4X2 and Statehouse, sb and http, 100 B and 64 KB — for before/after comparisons. "archive" (not in
// ALL either): a large log in R2 behind a small hot window, read whole and filtered (src/archive.ts).
const ALL = ["w1", "w2", "w3", "w4", "w5", "s1", "s2", "s3"];
const STREAMS = ["s1", "s2", "s3"];
const only = new Set((args.find((a) => a.startsWith("--only="))?.slice(7) ?? ALL.join(",")).split(","));
if (only.has("w5")) only.add("d1");
/**
 * Output files: latest.* (quick.*) only for a run of every workload, so a partial run never drops
 * results from them; a run of read-side workloads only writes readside.* (quick-readside.*), any
 * other partial run partial.* (quick-partial.*). --out=name picks the name.
 */
const outName =
  args.find((a) => a.startsWith("--out="))?.slice(6) ??
  (() => {
    const base = ALL.every((w) => only.has(w))
      ? ""
      : [...only].every((w) => w === "w4" || w === "w5" || w === "d1")
        ? "readside"
        : [...only].every((w) => STREAMS.includes(w))
          ? "streams"
          : [...only].every((w) => w === "archive")
            ? "archive"
            : "partial";
    return quick ? (base ? `quick-${base}` : "quick") : base || "latest";
  })();
const plan = quick ? QUICK : FULL;
const archiveEvents = args.find((a) => a.startsWith("--archive-events="))?.slice("--archive-events=".length);
const archivePlan: ArchivePlan = { ...(quick ? ARCHIVE_QUICK : ARCHIVE_FULL), ...(archiveEvents === undefined ? {} : { events: Number(archiveEvents) }) };
const started = Date.now();

async function main(): Promise<void> {
  console.log(`statehouse bench (${quick ? "quick" : "full"}) on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, Node ${process.version}`);
  const logs = new WorkerLogs(args.includes("--verbose"));
  const stack: Stack = await startStack(path.join(benchDir, ".build"), {
    readSides: only.has("w4") || only.has("w5"),
    capacity: only.has("d1"),
    streams: STREAMS.some((w) => only.has(w)),
    ...(only.has("archive") ? { archive: { hotEntries: archivePlan.hotEntries, hotMaxEntries: archivePlan.hotMaxEntries } } : {}),
    migrationsDir: path.join(repoDir, "migrations"),
    logs,
  });
  const peers: Peer[] = [];
  const cleanup = async () => {
    for (const p of peers) await p.stop();
    await stack.dispose();
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const peerDir = path.join(benchDir, "peer");
    const usePeer = !args.includes("--no-peer") && peerInstalled(peerDir);
    if (usePeer) {
      for (const mode of ["default", "shared"] as const) peers.push(await startPeer(peerDir, path.join(benchDir, ".build", `peer-${mode}`), mode));
    } else {
      console.log("  (Emmett peer not installed or --no-peer: run bench/run.sh to install it)");
    }
    const peerTargets: Target[] = peers.map((p) => {
      const t = peerTarget(p.url, p.mode);
      peerPid.set(t.name, p.pid);
      return t;
    });

    const rows: Row[] = [];
    let rebuild: RebuildRow[] = [];
    let lag: LagRow[] | { pending: string } = { pending: "not run (--only)" };
    let maxRate: W5Row[] | { pending: string } = { pending: "not run (--only)" };
    let partitionHeadroom: HeadroomRow[] | undefined;
    let subscriptions: S1Result | undefined;
    let logStream: S2Row[] | undefined;
    let logRows: S3Row[] | undefined;
    let archive: ArchiveResult | undefined;
    const load: string[] = [`start: ${loadavg()}`];
    const paired: PairedRow[] = [];
    const sh = [statehouseTarget("sb"), statehouseTarget("http")];
    const floor = (t: "sb" | "http") => ladderTarget("b4x2", t);

    if (only.has("w1")) {
      logs.phase = "W1";
      console.log(`W1: one entity, ${plan.w1Commands} commands, 1 then ${plan.w1Concurrency} in flight, ${plan.smallBytes} B`);
      const ladder = [
        ladderTarget("b1"),
        ladderTarget("b2"),
        ...(["sb", "http"] as const).flatMap((t) => plan.w1Rungs.map((r) => ladderTarget(r, t))),
      ];
      rows.push(...(await b0(stack, plan)));
      rows.push(...(await w1(stack, plan, [...ladder, ...sh, statehouseDirectTarget("sb"), ...peerTargets], plan.smallBytes, plan.w1Commands)));
      console.log(`W1 large: ${plan.w1LargeCommands} commands of ${plan.largeBytes} B`);
      rows.push(...(await w1(stack, plan, [ladderTarget("b2"), floor("sb"), floor("http"), ...sh, ...peerTargets], plan.largeBytes, plan.w1LargeCommands)));
    }
    if (only.has("cmd")) {
      logs.phase = "cmd";
      // Time-bounded rather than count-bounded: each target gets the same wall time per round.
      const cmdPlan: Plan = { ...plan, w1Rounds: 4, runTimeLimitMs: quick ? 8000 : 16_000 };
      const targets = [floor("sb"), floor("http"), ...sh, statehouseRouterTarget("sb")];
      console.log(`command path: B4X2 and Statehouse, ${cmdPlan.runTimeLimitMs / 1000} s per target in ${cmdPlan.w1Rounds} rounds, 1 then ${plan.w1Concurrency} in flight`);
      rows.push(...(await w1(stack, cmdPlan, targets, plan.smallBytes, 100_000)));
      rows.push(...(await w1(stack, cmdPlan, targets, plan.largeBytes, 100_000)));
      console.log("command path, paired: the binary fast path against the Connect router, one command at a time");
      for (const size of [plan.smallBytes, plan.largeBytes]) {
        paired.push(await pairedLatency(stack, statehouseTarget("sb"), statehouseRouterTarget("sb"), size, quick ? 150 : 500));
        paired.push(await pairedLatency(stack, statehouseTarget("sb"), ladderTarget("b4x2", "sb"), size, quick ? 150 : 500));
      }
    }
    if (only.has("w2")) {
      logs.phase = "W2";
      console.log(`W2: ${plan.w2Commands} commands over ${plan.w2Entities.join(" and ")} entities, ${plan.w2Concurrency} in flight`);
      // The peer's "shared" mode (one connection) is its faster one; W1 shows both.
      rows.push(...(await w2(stack, plan, [statehouseTarget("sb"), floor("sb"), ...peerTargets.slice(1)])));
      console.log(`W2 scaling: ${plan.w2ScalingCommands} commands over ${plan.w2ScalingEntities.join(", ")} entities`);
      rows.push(...(await w2Scaling(stack, plan, [statehouseTarget("sb"), ...(plan.w2Targets === "all" ? [floor("sb")] : [])])));
    }
    if (only.has("w3")) {
      logs.phase = "W3";
      console.log(`W3: cold rebuild after eviction, ${plan.w3Sizes.join(", ")} events`);
      rebuild = await w3(stack, plan);
      if (peers[0]) rebuild.push(...(await w3Peer(peers[0], plan)));
    }
    if (only.has("w4")) {
      logs.phase = "W4";
      load.push(`before W4: ${loadavg()}`);
      console.log(`W4: read-side lag at ${plan.w4Rates.join(", ")} commands/s (batch window 0) and ${plan.w4WindowRates.join(", ")} commands/s (batch window 1 s), ${plan.w4Seconds} s each`);
      lag = await w4(stack, plan);
    }
    if (only.has("w5")) {
      logs.phase = "W5";
      load.push(`before W5: ${loadavg()}`);
      console.log(`W5: highest bounded rate for ${plan.w5ReadSides.join(", ")} read sides, steps ${plan.w5Rates.join(", ")} commands/s of ${plan.w5StepSeconds} s`);
      maxRate = await w5(stack, plan);
    }

    if (only.has("d1")) {
      logs.phase = "headroom";
      load.push(`before the headroom: ${loadavg()}`);
      console.log(`Headroom: the partition store's two calls per consumer batch alone, ${plan.headroomBatches} batches per row, ${plan.headroomPartitions.join(" and ")} partition(s) at once in one workerd, ${plan.headroomProcesses.join(" and ")} in as many workerd processes`);
      partitionHeadroom = await headroom(stack, plan, path.join(benchDir, ".build"), path.join(repoDir, "migrations"), logs);
    }
    if (only.has("s1")) {
      logs.phase = "S1";
      load.push(`before S1: ${loadavg()}`);
      console.log(`S1: one entity, ${plan.s1Subscribers.join(", ")} SSE subscribers, ${plan.s1Rate} cmd/s for ${plan.s1Seconds} s (idle window ${plan.s1IdleSeconds} s)`);
      subscriptions = await s1(stack, plan);
    }
    if (only.has("s2")) {
      logs.phase = "S2";
      load.push(`before S2: ${loadavg()}`);
      console.log(`S2: ${plan.s2Subscribers} log stream reader(s), ${plan.s2Rates.join(", ")} cmd/s over ${plan.s2Entities} entities for ${plan.s2Seconds} s`);
      logStream = await s2(stack, plan);
    }
    if (only.has("s3")) {
      logs.phase = "S3";
      load.push(`before S3: ${loadavg()}`);
      console.log(`S3: the log's D1 rows per event, ${plan.s3Steps.map(([r, e]) => `${r} cmd/s over ${e} entities`).join("; ")}, ${plan.s3Seconds} s each`);
      logRows = await s3(stack, plan);
    }
    if (only.has("archive")) {
      logs.phase = "archive";
      load.push(`before the archive step: ${loadavg()}`);
      console.log(`Archive: ${archivePlan.events.toLocaleString("en-US")} events into one Worker's log with LOG_ARCHIVE bound (hot window ${archivePlan.hotEntries.toLocaleString("en-US")}), read whole through GET /api/v1/log and LogService.Read, and filtered by ${archivePlan.filterType} over each tier`);
      archive = await archiveStep(stack, archivePlan);
    }
    load.push(`end: ${loadavg()}`);
    logs.phase = "end";
    // Lines still in flight from the last workload.
    await new Promise((r) => setTimeout(r, 500));

    const results = {
      mode: quick ? "quick" : "full",
      startedAt: new Date(started).toISOString(),
      durationS: (Date.now() - started) / 1000,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGb: Math.round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()}`,
        node: process.version,
        miniflare: pkgVersion("miniflare"),
        wrangler: pkgVersion("wrangler"),
        emmett: peers.length > 0 ? peerPkgVersion("@event-driven-io/emmett-sqlite") : undefined,
      },
      plan,
      prices: PRICES,
      rows: rows.map(({ latenciesMs: _drop, ...rest }) => rest),
      rebuild,
      lag,
      maxRate,
      headroom: partitionHeadroom,
      subscriptions,
      logStream,
      logRows,
      archive,
      streamCost: subscriptions !== undefined || logStream !== undefined ? streamCost(subscriptions, logStream) : undefined,
      loadAverages: load,
      paired: paired.length > 0 ? paired : undefined,
      workerLogs: logs.result(),
    };
    const outDir = path.join(benchDir, "results");
    mkdirSync(outDir, { recursive: true });
    const name = outName;
    const report = renderReport(results);
    writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    // The chart draws W1–W3 only: an archive-only run has nothing for it.
    const chart = ![...only].every((w) => w === "archive");
    if (chart) writeFileSync(path.join(outDir, `${name}.svg`), report.svg);
    writeFileSync(path.join(outDir, `${name}.md`), report.markdown);
    console.log(`\n${report.markdown}`);
    console.log(`wrote bench/results/${name}.json, ${name}.md${chart ? `, ${name}.svg` : ""} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (logs.failed()) {
      const l = logs.result();
      console.error(`bench: FAILED — Statehouse's Workers logged ${l.errors.length} unexpected error line(s) and workerd ${l.runtimeErrors.length} error(s); see "Worker logs" in ${name}.md`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

/** The 1, 5 and 15 minute load averages (the machine is shared). */
function loadavg(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(", ");
}

function pkgVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(repoDir, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function peerPkgVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(benchDir, "peer/node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The run's results, as written to JSON. */
export type Results = {
  mode: string;
  startedAt: string;
  durationS: number;
  machine: Record<string, unknown>;
  plan: Plan;
  prices: typeof PRICES;
  rows: Omit<Row, "latenciesMs">[];
  rebuild: RebuildRow[];
  lag: LagRow[] | { pending: string };
  /** W5: the highest rate at which read-side lag stays bounded, per read-side count. */
  maxRate?: W5Row[] | { pending: string };
  /** The partition store's headroom: the consumer's two store calls alone, one partition and K at once. */
  headroom?: HeadroomRow[];
  /** S1: subscriptions to one entity. */
  subscriptions?: S1Result;
  /** S2: the log's live stream. */
  logStream?: S2Row[];
  /** S3: the log's D1 rows per event. */
  logRows?: S3Row[];
  /** The archive step: a log mostly in R2, read through both tiers, with R2's operations counted. */
  archive?: ArchiveResult;
  /** Dollars of S1 and S2. */
  streamCost?: StreamCost;
  /** Load averages (1, 5, 15 min) at points of the run: the machine is shared. */
  loadAverages?: string[];
  /** The command path's paired latencies (--only=cmd). */
  paired?: PairedRow[];
  /** What Statehouse's Workers logged at level error (and how many warnings): an unexpected error fails the run. */
  workerLogs?: LogSummary;
};

const profileCommands = Number(args.find((a) => a.startsWith("--profile-commands="))?.slice("--profile-commands=".length) ?? 1000);
(args.includes("--profile")
  ? runProfiles(path.join(benchDir, ".build"), path.join(benchDir, "results"), path.join(repoDir, "migrations"), profileCommands)
  : main()
).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
