// Starts one workerd (through Miniflare) with Statehouse, the ladder and the do-nothing handler, all on 127.0.0.1.
import { createServer } from "node:net";
import { readFileSync, readdirSync, rmSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";

const COMPAT_DATE = "2026-11-03";
/**
 * The read-side consumer's queue settings, as in wrangler.toml's [[queues.consumers]]. Miniflare's
 * own defaults differ (batches of 5, 2 retries, timeout 1 s): with them the local consumer takes at
 * most 5 messages per call, one call at a time, which caps delivery well below what the deployed
 * configuration allows. No dead-letter queue here (the bench injects no fault that exhausts retries).
 */
const READ_SIDE_CONSUMER = { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 5 };

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
 * on (COS_SUBSCRIPTION_ENABLED), with the SubscriptionObject and LogHub namespaces.
 * `sub` serves S1 (per-entity streams; its queue is only counted, by the ladder, like sb's), `log`
 * serves S2 and S3 (its own D1 with the migrations and the events-queue consumer with wrangler.toml's
 * settings; no user read side, so the consumer's only read side is the built-in `$log`).
 */
export type StreamWorker = "sub" | "log";

/** Read-side counts of W5's configurations (`sh-rs1`, `sh-rs2`, `sh-rs4`; every read side answers ok). */
export const W5_READ_SIDES = [1, 2, 4] as const;
export type ReadSideWorker = "rs" | `rs${(typeof W5_READ_SIDES)[number]}`;
/** Read side ids of W5's configuration with `n` read sides. */
export const w5ReadSideIds = (n: number) => Array.from({ length: n }, (_, i) => `ok${i + 1}`);

/** Host header for a Worker: "ladder.bench", "sb.statehouse.bench", … */
export function hostOf(worker: "ladder" | Variant | ReadSideWorker | StreamWorker): string {
  return worker === "ladder" ? "ladder.bench" : `${worker}.statehouse.bench`;
}

/** Starts the stack; `readSides` adds the W4 and W5 configurations (and D1 migrations) for the read-side workloads. */
export async function startStack(buildDir: string, opts: { readSides: boolean; streams?: boolean; migrationsDir: string; inspectorPort?: number }): Promise<Stack> {
  const stateDir = path.join(buildDir, "state");
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const handlerPort = await freePort();
  const handlerUrl = `http://127.0.0.1:${handlerPort}`;
  const statehouse = readFileSync(path.join(buildDir, "statehouse.mjs"), "utf8");

  const statehouseWorker = (name: string, vars: Record<string, string>, extra: object = {}) => ({
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
      ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.replace("@HANDLER_URL@", handlerUrl)])),
    },
    durableObjects: { ENTITY: { className: "EntityObject", useSQLite: true } },
    d1Databases: { DB: `db-${name}` },
    queueProducers: { EVENTS: { queueName: `events-${name}` } },
    serviceBindings: { WRITE_HANDLER: "bench-handler" },
    ...extra,
  });

  const workers = [
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
        ["bench-events", ...Object.keys(VARIANTS).map((v) => `events-sh-${v}`)].map((q) => [q, { maxBatchTimeout: 0 }]),
      ),
    },
    ...Object.entries(VARIANTS).map(([v, vars]) => statehouseWorker(`sh-${v}`, vars)),
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
      workers.push(
        statehouseWorker(
          `sh-rs${n}`,
          {
            WRITE_HANDLER_PROTOCOL: "connect",
            STATEHOUSE_READ_SIDES: JSON.stringify(ids.map((id) => ({ id, binding: `RS_${id.toUpperCase()}`, protocol: "connect", retries: 20, backoff_ms: 50 }))),
          },
          {
            queueConsumers: { [`events-sh-rs${n}`]: READ_SIDE_CONSUMER },
            serviceBindings: { WRITE_HANDLER: "bench-handler", ...Object.fromEntries(ids.map((id) => [`RS_${id.toUpperCase()}`, "bench-readside"])) },
          },
        ) as never,
      );
    }
    workers.push(
      statehouseWorker(
        "sh-rs",
        {
          WRITE_HANDLER_PROTOCOL: "connect",
          STATEHOUSE_READ_SIDES: JSON.stringify([
            { id: "ok", binding: "RS_OK", protocol: "connect", retries: 20, backoff_ms: 50 },
            { id: "flaky", binding: "RS_FLAKY", protocol: "connect", retries: 20, backoff_ms: 50 },
          ]),
        },
        {
          queueConsumers: { "events-sh-rs": READ_SIDE_CONSUMER },
          serviceBindings: { WRITE_HANDLER: "bench-handler", RS_OK: "bench-readside", RS_FLAKY: "bench-readside" },
        },
      ) as never,
    );
  }

  if (opts.streams) {
    const streamObjects = {
      ENTITY: { className: "EntityObject", useSQLite: true },
      SUBSCRIPTION: { className: "SubscriptionObject", useSQLite: true },
      LOG_HUB: { className: "LogHub", useSQLite: true },
    };
    const streamVars = { WRITE_HANDLER_PROTOCOL: "connect", COS_SUBSCRIPTION_ENABLED: "true" };
    workers.push(statehouseWorker("sh-sub", streamVars, { durableObjects: streamObjects }) as never);
    workers.push(
      statehouseWorker("sh-log", streamVars, { durableObjects: streamObjects, queueConsumers: { "events-sh-log": READ_SIDE_CONSUMER } }) as never,
    );
    // sh-sub's events queue is consumed (counted) by the ladder, like the other variants'.
    const ladder = workers[0] as { queueConsumers: Record<string, object> };
    ladder.queueConsumers["events-sh-sub"] = { maxBatchTimeout: 0 };
  }

  const before = new Set(childPids());
  // Miniflare 5 takes a new options shape; these are Miniflare 4's, converted by the adapter that
  // wrangler and the Vitest plugin use too. Storage persists on disk under stateDir (do/, d1/, …).
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      ...(opts.inspectorPort === undefined ? {} : { inspectorPort: opts.inspectorPort }),
      resourcePersistencePath: stateDir,
      workers: workers as never,
    }),
  );
  const url = await mf.ready;
  const workerdPid = childPids().find((p) => !before.has(p) && commOf(p).includes("workerd"));
  if (opts.readSides) await applyMigrations(mf, opts.migrationsDir);
  if (opts.streams) await migrate(mf, "sh-log", opts.migrationsDir);
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

async function applyMigrations(mf: Miniflare, dir: string): Promise<void> {
  for (const worker of ["sh-rs", ...W5_READ_SIDES.map((n) => `sh-rs${n}`)]) await migrate(mf, worker, dir);
}

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
