// Starts one workerd (through Miniflare) with Statehouse, the ladder and the do-nothing handler, all on 127.0.0.1.
import { createServer } from "node:net";
import { readFileSync, readdirSync, rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { CAPACITY_READ_SIDES } from "../workers/capacity-read-sides.js";
import type { WorkerLogs } from "./worker-logs.js";

const COMPAT_DATE = "2026-11-03";
/**
 * The read-side consumer's queue settings, as in wrangler.toml's [[queues.consumers]], with its batch
 * window (`max_batch_timeout`, seconds) set per Worker: 0 is wrangler.toml's default. Miniflare's
 * own defaults differ (batches of 5, 2 retries, timeout 1 s): with them the local consumer takes at
 * most 5 messages per call, one call at a time, which caps delivery well below what the deployed
 * configuration allows. No dead-letter queue here (the bench injects no fault that exhausts retries).
 */
export function readSideConsumer(maxBatchTimeout = 0) {
  return { maxBatchSize: 100, maxBatchTimeout, maxRetries: 10, retryDelay: 5 };
}

/** Statehouse configurations run side by side in the same workerd; each has its own objects. */
export const VARIANTS = {
  /** Write handler over a Service Binding (the default deployment). */
  sb: { WRITE_HANDLER_PROTOCOL: "connect" },
  /** Write handler over HTTP (Connect binary) on a loopback socket. */
  http: { WRITE_HANDLER_PROTOCOL: "connect", WRITE_HANDLER_URL: "@HANDLER_URL@" },
  /** Same configuration as sb, in its own Worker so W3's row counts see nothing else. */
  cold: { WRITE_HANDLER_PROTOCOL: "connect" },
  /** Snapshots "off": a frequency never reached. */
  nosnap: { WRITE_HANDLER_PROTOCOL: "connect", COS_SNAPSHOT_FREQUENCY: "1000000" },
} as const;
export type Variant = keyof typeof VARIANTS;

/** What the runner needs to reach the stack. */
export interface Stack {
  mf: Miniflare;
  /** Base URL of the entry socket; the Host header picks the Worker (see `hostOf`). */
  url: URL;
  handlerUrl: string;
  workerdPid: number | undefined;
  stateDir: string;
  dispose(): Promise<void>;
}

/**
 * The stream scenarios' configurations (S1–S3), added when `streams` is asked for: subscriptions
 * on (COS_SUBSCRIPTION_ENABLED). `sub` serves S1 (per-entity streams; its queue is only counted,
 * by the ladder, like sb's), `log` serves S2 and S3 (the events-queue consumer with wrangler.toml's
 * settings; no user read side, so the consumer's only read side is the built-in `$log`).
 */
export type StreamWorker = "sub" | "log";

/** Read-side counts of W5's configurations (`sh-rs1`, `sh-rs2`, `sh-rs4`; every read side answers ok). */
export const W5_READ_SIDES = [1, 2, 4] as const;
/** W4's consumer batch windows (max_batch_timeout, s): `sh-rs` has wrangler.toml's 0, `sh-rs-t1` waits up to 1 s. */
export const W4_BATCH_WINDOWS = [0, 1] as const;
/** The W4 Worker with batch window `seconds`. */
export const w4Worker = (seconds: number): ReadSideWorker => (seconds === 0 ? "rs" : (`rs-t${seconds}` as ReadSideWorker));
export type ReadSideWorker = "rs" | `rs-t${number}` | `rs${(typeof W5_READ_SIDES)[number]}`;
/** The headroom's Worker (`sh-cap`): CAPACITY_PARTITIONS partitions, the capacity read sides declared and disabled, no consumer. */
export const CAPACITY_WORKER = "cap";
export const CAPACITY_PARTITIONS = 4;
/** The archive step's Worker (`sh-arc`): the LOG_ARCHIVE R2 bucket bound, a small hot window, no consumer (the step builds its log itself). */
export const ARCHIVE_WORKER = "arc";
/** The archive step's hot window and cap (STATEHOUSE_LOG_HOT_ENTRIES, STATEHOUSE_LOG_HOT_MAX_ENTRIES). */
export interface ArchiveWindow {
  hotEntries: number;
  hotMaxEntries: number;
}
/** Read side ids of W5's configuration with `n` read sides. */
export const w5ReadSideIds = (n: number) => Array.from({ length: n }, (_, i) => `ok${i + 1}`);

/** Host header for a Worker: "ladder.bench", "sb.statehouse.bench", … */
export function hostOf(worker: "ladder" | Variant | ReadSideWorker | StreamWorker | typeof CAPACITY_WORKER | typeof ARCHIVE_WORKER): string {
  return worker === "ladder" ? "ladder.bench" : `${worker}.statehouse.bench`;
}

/** Every Durable Object class of Statehouse, SQLite-backed: Miniflare's form of wrangler.toml's migrations v1–v4 (`new_sqlite_classes`). */
const STATEHOUSE_OBJECTS = {
  ENTITY: { className: "EntityObject", useSQLite: true },
  SUBSCRIPTION: { className: "SubscriptionObject", useSQLite: true },
  LOG_HUB: { className: "LogHub", useSQLite: true },
  PARTITION: { className: "PartitionObject", useSQLite: true },
};

/** How one Statehouse Worker of the stack differs from the others. */
interface StatehouseOptions {
  /** Its events queue's consumer: none (the ladder counts the messages) or Statehouse's own, with this batch window (s). */
  batchWindowS?: number;
  /** Service Bindings besides WRITE_HANDLER. */
  services?: Record<string, string>;
  /** More partitions than one: their queues EVENTS_1 … (producers only). */
  partitions?: number;
  /** R2 buckets by binding (persisted on disk under the state directory, like D1 and the objects). */
  r2Buckets?: Record<string, string>;
}

/**
 * Starts the stack; `readSides` adds the W4 and W5 configurations, `capacity` the headroom's.
 * `capacityOnly` starts one more workerd with the headroom's Worker alone (and the Workers it
 * binds), its state under `state-<name>`: the headroom runs partitions in separate processes too.
 */
export async function startStack(
  buildDir: string,
  opts: { readSides: boolean; capacity?: boolean; capacityOnly?: string; streams?: boolean; archive?: ArchiveWindow; migrationsDir: string; inspectorPort?: number; logs?: WorkerLogs },
): Promise<Stack> {
  const stateDir = path.join(buildDir, opts.capacityOnly === undefined ? "state" : `state-${opts.capacityOnly}`);
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const handlerPort = await freePort();
  const handlerUrl = `http://127.0.0.1:${handlerPort}`;
  const statehouse = readFileSync(path.join(buildDir, "statehouse.mjs"), "utf8");
  const statehouseNames: string[] = [];

  // Every Statehouse Worker gets what wrangler.toml and the composition root (src/services.ts) wire:
  // all four object classes, its own D1 (migrations applied below) and its events queue.
  const statehouseWorker = (name: string, vars: Record<string, string>, o: StatehouseOptions = {}) => {
    statehouseNames.push(name);
    const partitions = o.partitions ?? 1;
    return {
      name,
      modules: [{ type: "ESModule" as const, path: path.join(buildDir, `${name}.mjs`), contents: statehouse }],
      compatibilityDate: COMPAT_DATE,
      compatibilityFlags: ["nodejs_compat", "enable_request_signal"],
      routes: [`${name.replace(/^sh-/, "")}.statehouse.bench/*`],
      bindings: {
        STATEHOUSE_AUTH: "off",
        COS_COMMAND_HANDLER_TIMEOUT: "30000",
        COS_SNAPSHOT_FREQUENCY: "100",
        COS_NUM_SNAPSHOTS_TO_RETAIN: "2",
        STATEHOUSE_PARTITIONS: String(partitions),
        ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.replace("@HANDLER_URL@", handlerUrl)])),
      },
      durableObjects: STATEHOUSE_OBJECTS,
      d1Databases: { DB: `db-${name}` },
      queueProducers: Object.fromEntries(Array.from({ length: partitions }, (_, p) => [p === 0 ? "EVENTS" : `EVENTS_${p}`, { queueName: `events-${name}${p === 0 ? "" : `-${p}`}` }])),
      ...(o.batchWindowS === undefined ? {} : { queueConsumers: { [`events-${name}`]: readSideConsumer(o.batchWindowS) } }),
      serviceBindings: { WRITE_HANDLER: "bench-handler", ...o.services },
      ...(o.r2Buckets === undefined ? {} : { r2Buckets: o.r2Buckets }),
    };
  };
  const readSidesVar = (ids: string[], extra: object = {}) =>
    JSON.stringify(ids.map((id) => ({ id, binding: `RS_${id.toUpperCase()}`, protocol: "connect", retries: 20, backoff_ms: 50, ...extra })));
  const readSideBindings = (ids: string[]) => Object.fromEntries(ids.map((id) => [`RS_${id.toUpperCase()}`, "bench-readside"]));

  const ladderAndVariants = () => [
    {
      name: "bench-ladder",
      scriptPath: path.join(buildDir, "ladder.mjs"),
      modules: true,
      compatibilityDate: COMPAT_DATE,
      compatibilityFlags: ["nodejs_compat"],
      routes: ["ladder.bench/*"],
      bindings: { HANDLER_URL: handlerUrl },
      durableObjects: { BENCH: { className: "BenchObject", useSQLite: true } },
      serviceBindings: { HANDLER: "bench-handler" },
      queueProducers: { BENCH_EVENTS: { queueName: "bench-events" } },
      queueConsumers: Object.fromEntries(
        ["bench-events", ...Object.keys(VARIANTS).map((v) => `events-sh-${v}`), ...(opts.streams ? ["events-sh-sub"] : [])].map((q) => [q, { maxBatchTimeout: 0 }]),
      ),
    },
    ...Object.entries(VARIANTS).map(([v, vars]) => statehouseWorker(`sh-${v}`, vars)),
  ];
  const workers: object[] = [
    ...(opts.capacityOnly === undefined ? ladderAndVariants() : []),
    {
      name: "bench-readside",
      scriptPath: path.join(buildDir, "read-side.mjs"),
      modules: true,
      compatibilityDate: COMPAT_DATE,
      routes: ["readside.bench/*"],
    },
    {
      name: "bench-handler",
      scriptPath: path.join(buildDir, "echo-handler.mjs"),
      modules: true,
      compatibilityDate: COMPAT_DATE,
      unsafeDirectSockets: [{ host: "127.0.0.1", port: handlerPort }],
    },
  ];
  if (opts.readSides) {
    for (const n of W5_READ_SIDES) {
      const ids = w5ReadSideIds(n);
      workers.push(statehouseWorker(`sh-rs${n}`, { WRITE_HANDLER_PROTOCOL: "connect", STATEHOUSE_READ_SIDES: readSidesVar(ids) }, { batchWindowS: 0, services: readSideBindings(ids) }));
    }
    for (const window of W4_BATCH_WINDOWS) {
      const ids = ["ok", "flaky"];
      workers.push(statehouseWorker(`sh-${w4Worker(window)}`, { WRITE_HANDLER_PROTOCOL: "connect", STATEHOUSE_READ_SIDES: readSidesVar(ids) }, { batchWindowS: window, services: readSideBindings(ids) }));
    }
  }
  if (opts.capacity || opts.capacityOnly !== undefined) {
    // Disabled: no consumer runs here, and nothing may ever be delivered to them.
    const ids = [...CAPACITY_READ_SIDES];
    workers.push(
      statehouseWorker(`sh-${CAPACITY_WORKER}`, { WRITE_HANDLER_PROTOCOL: "connect", STATEHOUSE_READ_SIDES: readSidesVar(ids, { enabled: false }) }, { services: readSideBindings(ids), partitions: CAPACITY_PARTITIONS }),
    );
  }
  if (opts.streams) {
    const streamVars = { WRITE_HANDLER_PROTOCOL: "connect", COS_SUBSCRIPTION_ENABLED: "true" };
    // sh-sub's events queue is consumed (counted) by the ladder, like the other variants'.
    workers.push(statehouseWorker("sh-sub", streamVars));
    workers.push(statehouseWorker("sh-log", streamVars, { batchWindowS: 0 }));
  }

  if (opts.archive !== undefined) {
    // The archive step's Worker: its events queue has no consumer (nothing sends commands to it).
    workers.push(
      statehouseWorker(
        `sh-${ARCHIVE_WORKER}`,
        { WRITE_HANDLER_PROTOCOL: "connect", STATEHOUSE_LOG_HOT_ENTRIES: String(opts.archive.hotEntries), STATEHOUSE_LOG_HOT_MAX_ENTRIES: String(opts.archive.hotMaxEntries) },
        { r2Buckets: { LOG_ARCHIVE: `log-archive-sh-${ARCHIVE_WORKER}` } },
      ),
    );
  }

  const before = new Set(childPids());
  // Miniflare 5 takes a new options shape; these are Miniflare 4's, converted by the adapter that
  // wrangler and the Vitest plugin use too. Storage persists on disk under stateDir (do/, d1/, …).
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      ...(opts.inspectorPort === undefined ? {} : { inspectorPort: opts.inspectorPort }),
      ...(opts.logs === undefined ? {} : { handleStructuredLogs: opts.logs.handle }),
      resourcePersistencePath: stateDir,
      workers: workers as never,
    }),
  );
  const url = await mf.ready;
  const workerdPid = childPids().find((p) => !before.has(p) && commOf(p).includes("workerd"));
  for (const name of statehouseNames) await migrate(mf, name, opts.migrationsDir);
  return {
    mf,
    url,
    handlerUrl,
    workerdPid,
    stateDir,
    async dispose() {
      await mf.dispose();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Applies migrations/*.sql in order to a Worker's D1, as `wrangler d1 migrations apply` would. */
async function migrate(mf: Miniflare, worker: string, dir: string): Promise<void> {
  const db = await mf.getD1Database("DB", worker);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    const sql = readFileSync(path.join(dir, file), "utf8");
    for (const stmt of sql.split(/;\s*(?:\n|$)/).map((s) => s.replace(/^\s*--.*$/gm, "").trim()).filter(Boolean)) {
      await db.prepare(stmt).run();
    }
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Pids of this process's direct children (workerd is one, once Miniflare started it). */
export function childPids(parent = process.pid): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) out.push(Number(d));
    } catch {
      // The process ended while we looked: not ours to count.
    }
  }
  return out;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}
