// Tests run inside workerd with real Durable Objects, SQLite, D1 and Queues. Each project is one
// Statehouse configuration; only the user's handlers are stand-ins (a test Worker and a Node server).
import { availableParallelism } from "node:os";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";
import { startTestHandlerServer } from "./test/fixtures/test-handler/node-server.js";
import { startReadSideHandlerServer } from "./test/fixtures/read-side-handler/node-server.js";

const root = import.meta.dirname;
const build = (file: string) => path.join(root, "test/.build", file);
export const TEST_TOKEN = "test-token-0123456789abcdef";

const migrations = await readD1Migrations(path.join(root, "migrations"));
const handlerServer = await startTestHandlerServer(build("test-types.binpb"));
const readSideServer = await startReadSideHandlerServer();
export const ADMIN_TOKEN = "admin-token-0123456789abcdef";

const testHandlerWorker = { name: "statehouse-test-handler", modules: true, scriptPath: build("test-handler.js"), compatibilityDate: "2026-11-03", compatibilityFlags: ["nodejs_compat"] };
/** The bank example and its read side: only the bank project loads them (each workerd start parses every helper Worker). */
const bankWorkers = [
  { name: "statehouse-bank-example", modules: true, scriptPath: build("bank.js"), compatibilityDate: "2026-11-03", compatibilityFlags: ["nodejs_compat"] },
  // The bank example's read side (examples/bank-balances) with its own D1.
  { name: "statehouse-bank-balances", modules: true, scriptPath: build("bank-balances.js"), compatibilityDate: "2026-11-03", compatibilityFlags: ["nodejs_compat"], d1Databases: ["BALANCES"] },
];

/** Statehouse's vars for the default test configuration; projects override some. */
const baseVars = {
  STATEHOUSE_AUTH: "on",
  STATEHOUSE_API_TOKENS: `${TEST_TOKEN},second-token-0123456789`,
  COS_COMMAND_HANDLER_TIMEOUT: "1000",
  COS_WRITE_SIDE_PROPAGATED_HEADERS: "x-test-mode,x-tenant",
  COS_WRITE_PERSISTED_HEADERS: "x-tenant,x-trace-bin",
  COS_SNAPSHOT_FREQUENCY: "3",
  COS_NUM_SNAPSHOTS_TO_RETAIN: "2",
  // Read sides: admin token, loopback http for the test read-side handler (a Node server).
  STATEHOUSE_ADMIN_TOKENS: ADMIN_TOKEN,
  STATEHOUSE_ALLOW_LOCAL_HTTP: "true",
  READ_SIDE_HANDLER_URL: readSideServer.url,
};

function project(
  name: string,
  include: string[],
  vars: Record<string, string>,
  opts: { handler?: string; exclude?: string[]; queues?: typeof secondPartition; bank?: boolean; isolate?: boolean } = {},
) {
  return defineProject({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: { ...baseVars, ...vars, TEST_MIGRATIONS: migrations },
          serviceBindings: {
            WRITE_HANDLER: opts.handler ?? "statehouse-test-handler",
            ...(opts.bank ? { BANK_BALANCES: "statehouse-bank-balances" } : {}),
          },
          workers: opts.bank ? [testHandlerWorker, ...bankWorkers] : [testHandlerWorker],
          ...opts.queues,
        },
      }),
    ],
    resolve: {
      // The user's descriptor set: in tests, the test types (test/fixtures/proto).
      alias: [{ find: /^.*\/descriptors\/user\.binpb$/, replacement: build("test-types.binpb") }],
    },
    test: {
      name,
      include,
      // Each file gets a workerd of its own. Sharing one per project (isolate: false; test/setup.ts
      // empties storage per file) took npm test from ~300 s to ~200 s, but work a file leaves running
      // (a read side's retries logging, restarted objects loading modules) can outlive the file, and
      // vitest then fails the run ("Closing rpc while onUserConsoleLog/resolve was pending"): 3 of
      // 12 full runs. Until a file can wait for its background work, files stay apart.
      isolate: opts.isolate ?? true,
      exclude: opts.exclude ?? [],
      setupFiles: [path.join(root, "test/setup.ts")],
      deps: { optimizer: { ssr: prebundled } },
      // The fuzz suite's seed and run count (test/front/fuzz.e2e.test.ts): workerd has no process.env of the shell.
      provide: { fuzzSeed: process.env.FUZZ_SEED ?? "", fuzzRuns: process.env.FUZZ_RUNS ?? "", fuzzStats: process.env.FUZZ_STATS ?? "" },
    },
  });
}

/**
 * Every test file starts a workerd of its own, whose module runner fetches each module from Vite one
 * by one. The libraries, pre-bundled once per run, are a few modules instead of hundreds: about a
 * third less start-up per file (resize project: setup 36–39 s → 25–27 s for 9 files).
 */
const prebundled = {
  enabled: true,
  include: [
    "@bufbuild/protobuf",
    "@bufbuild/protobuf/wire",
    "@bufbuild/protobuf/wkt",
    "@bufbuild/protobuf/codegenv2",
    "@connectrpc/connect",
    "@connectrpc/connect/protocol",
    "@connectrpc/connect/protocol-connect",
    "@connectrpc/connect/protocol-grpc-web",
    "hono",
    "hono/body-limit",
    "hono/cors",
    "zod",
  ],
};

const protocols = ["connect", "connect-json", "grpc-web", "cos-http"] as const;

/** Partition 1's events queue and its consumer, as README "Partitions" declares them in wrangler.toml. */
const secondPartition = {
  queueProducers: { EVENTS_1: { queueName: "statehouse-events-1" } },
  queueConsumers: {
    "statehouse-events-1": { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 5, deadLetterQueue: "statehouse-events-dlq" },
  },
};

const NODE_UNIT_TESTS = ["test/**/*.unit.test.ts"];

/** The default configuration: CORS on for two origins (test/front/cors.e2e.test.ts); the other projects leave it off. */
const defaultVars = { STATEHOUSE_CORS_ORIGINS: "https://app.example.com, http://localhost:5173" };

/**
 * Files of the default configuration that get a workerd of their own. reset() empties storage but
 * not the Queue broker (miniflare keeps it across resets), so messages another file left in flight
 * (retries, delayed batches) may still reach the consumer after it. These files assert what only an
 * untouched deployment shows: partition 0's first start after they seed D1 as a version before
 * partitions left it, a read side's lag summed over every entity of the partitions, and every row
 * partition 0 writes while a commit runs (a leftover message's commit would be counted too).
 */
const OWN_WORKERD = [
  "test/partition/legacy-import.int.test.ts",
  "test/partition/legacy-import-races.int.test.ts",
  "test/readside/large-state.int.test.ts",
  "test/partition/commit.int.test.ts",
  // GET /metrics: the lag and wait gauges sum over every entity (a leftover message indexes one the reset emptied, and it lags for good).
  "test/front/metrics.e2e.test.ts",
];

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores that is one file at a
    // time, while a workerd test file often waits on workerd. Two keep both cores busy (three gained nothing).
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      project("default", ["test/**/*.int.test.ts", "test/**/*.e2e.test.ts"], defaultVars, {
        exclude: ["test/strict/**", "test/examples/**", "test/misconfigured/**", "test/cli/**", "test/no-subscriptions/**", "test/partitions/**", "test/resize/**", "test/small-log/**", ...OWN_WORKERD],
      }),
      project("default-isolated", OWN_WORKERD, defaultVars, { isolate: true }),
      // Two partitions: every read, write and operator path across partition stores and queues. Its
      // two files run side by side anyway, and pipeline's lag must not see the other's leftovers.
      project("partitions", ["test/partitions/**/*.test.ts"], { STATEHOUSE_PARTITIONS: "2" }, { queues: secondPartition, isolate: true }),
      // A log whose partition keeps 4 entries in its store and holds at most 8: archive and cap at work.
      project("small-log", ["test/small-log/**/*.test.ts"], { STATEHOUSE_LOG_HOT_ENTRIES: "4", STATEHOUSE_LOG_HOT_MAX_ENTRIES: "8" }),
      // A deployment that ran with one partition and is resized to two while commands keep coming.
      // A workerd per file: its files count every entity of the deployment (status.entities), which
      // a message another file left in the Queue broker (it outlives reset()) would add to.
      project("resize", ["test/resize/**/*.test.ts"], { STATEHOUSE_PARTITIONS: "1" }, { queues: secondPartition, isolate: true }),
      // Pure tests need no workerd: Node starts them in a fraction of a workerd start each.
      // Pure tests share their Node worker (none keeps state between files): each file no longer re-imports the libraries.
      defineProject({ test: { name: "unit", include: NODE_UNIT_TESTS, environment: "node", isolate: false } }),
      project("strict", ["test/strict/**/*.test.ts"], {
        STATEHOUSE_AUTH: "off",
        STATEHOUSE_API_TOKENS: "",
        COS_WRITE_SIDE_PROTO_VALIDATION: "true",
        COS_WRITE_SIDE_EVENT_PROTOS: "google.protobuf.Struct, test.v1.Deposit",
        COS_WRITE_SIDE_STATE_PROTOS: "google.protobuf.Struct",
        COS_JOURNAL_LOGICAL_DELETION: "true",
      }),
      // wrangler.toml turns subscriptions on for the dev example; CoS's default is off.
      project("no-subscriptions", ["test/no-subscriptions/**/*.test.ts"], { COS_SUBSCRIPTION_ENABLED: "false" }),
      project("misconfigured", ["test/misconfigured/**/*.test.ts"], { COS_SNAPSHOT_FREQUENCY: "often", WRITE_HANDLER_PROTOCOL: "grpc" }),
      project("bank", ["test/examples/**/*.test.ts"], {}, { handler: "statehouse-bank-example", bank: true }),
      // The CLI against a real `wrangler dev` on 127.0.0.1 (Node, not workerd).
      defineProject({ test: { name: "cli", include: ["test/cli/**/*.e2e.test.ts"], environment: "node", hookTimeout: 120_000 } }),
      ...protocols.map((p) =>
        project(`url-${p}`, ["test/handlers/*.protocol.test.ts"], { WRITE_HANDLER_URL: handlerServer.url, WRITE_HANDLER_PROTOCOL: p }),
      ),
    ],
  },
});
