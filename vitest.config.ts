// Tests run inside workerd with real Durable Objects, SQLite, D1 and Queues. Each project is one
// Statehouse configuration; only the user's handlers are stand-ins (a test Worker and a Node server).
import { availableParallelism } from "node:os";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, defineProject } from "vitest/config";
import { startTestHandlerServer } from "./test/fixtures/test-handler/node-server.js";
import { startReadSideHandlerServer } from "./test/fixtures/read-side-handler/node-server.js";
import { ProjectOrderSequencer } from "./test/support/sequencer.js";

const root = import.meta.dirname;
const build = (file: string) => path.join(root, "test/.build", file);
export const TEST_TOKEN = "test-token-0123456789abcdef";

const migrations = await readD1Migrations(path.join(root, "migrations"));
const handlerServer = await startTestHandlerServer(build("test-types.binpb"));
const readSideServer = await startReadSideHandlerServer();
export const ADMIN_TOKEN = "admin-token-0123456789abcdef";

const testHandlerWorker = { name: "statehouse-test-handler", modules: true, scriptPath: build("test-handler.js"), compatibilityDate: "2026-11-03", compatibilityFlags: ["nodejs_compat"] };
/** The bank example and its read side: only the default project loads them, for its bank Statehouse (each workerd start parses every helper Worker). */
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
  opts: { exclude?: string[]; queues?: typeof secondPartition; isolate?: boolean; statehouses?: typeof moreStatehouseBindings } = {},
) {
  return defineProject({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: { ...baseVars, ...vars, TEST_MIGRATIONS: migrations },
          serviceBindings: {
            WRITE_HANDLER: "statehouse-test-handler",
            ...opts.statehouses?.serviceBindings,
          },
          ...(opts.statehouses ? { d1Databases: opts.statehouses.d1Databases } : {}),
          workers: [testHandlerWorker, ...(opts.statehouses?.workers ?? [])],
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
      // The files of a project share its workerd (a start costs seconds); test/setup.ts empties its
      // storage before each file, and a read side a test registers is deleted when the test ends
      // (test/readside/helpers.ts), so its retries do not outlive it. `isolate: true` gives each
      // file a workerd of its own, for files that count what another file's leftovers would change.
      isolate: opts.isolate ?? false,
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

/**
 * Statehouse as a second Worker of the default project: the Worker bundled from src
 * (scripts/build-test-statehouse.mjs) with wrangler.toml's bindings of its own (objects, D1, R2,
 * events queue and its consumer), `vars` over the tests' and `services` as its Service Bindings.
 * Tests call it through the Service Binding named `binding` (test/support/front-door.ts,
 * useFrontDoor): a configuration in the same workerd instead of a project (a workerd start,
 * seconds) of its own.
 */
function statehouseWorker(binding: string, vars: Record<string, string>, services: Record<string, string>) {
  const name = `statehouse-${binding.toLowerCase().replaceAll("_", "-")}`;
  return {
    binding,
    database: `DB_${binding}`,
    worker: {
      name,
      modules: true,
      scriptPath: build("statehouse.js"),
      compatibilityDate: "2026-11-03",
      compatibilityFlags: ["nodejs_compat", "enable_request_signal"],
      bindings: { ...baseVars, ...vars },
      serviceBindings: services,
      durableObjects: {
        ENTITY: { className: "EntityObject", useSQLite: true },
        SUBSCRIPTION: { className: "SubscriptionObject", useSQLite: true },
        LOG_HUB: { className: "LogHub", useSQLite: true },
        PARTITION: { className: "PartitionObject", useSQLite: true },
      },
      d1Databases: { DB: name },
      r2Buckets: { LOG_ARCHIVE: name },
      queueProducers: { EVENTS: { queueName: name } },
      queueConsumers: { [name]: { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 10, retryDelay: 5 } },
    },
  };
}

const PROTOCOLS = ["connect", "connect-json", "grpc-web", "cos-http"] as const;
/** The default project's other Statehouse Workers (their Service Bindings in test/env.d.ts). */
const moreStatehouses = [
  // WRITE_HANDLER_URL at the Node test handler in each protocol (test/handlers/write-handler.protocol.test.ts).
  ...PROTOCOLS.map((p) =>
    statehouseWorker(`STATEHOUSE_URL_${p.toUpperCase().replace("-", "_")}`, { WRITE_HANDLER_URL: handlerServer.url, WRITE_HANDLER_PROTOCOL: p }, {}),
  ),
  // The bank example as write handler and its read side Worker (test/examples).
  statehouseWorker("STATEHOUSE_BANK", {}, { WRITE_HANDLER: "statehouse-bank-example", BANK_BALANCES: "statehouse-bank-balances" }),
];
/** What the default project's Worker binds of them: each one's front door, and its D1 (for the migrations, test/support/front-door.ts). */
const moreStatehouseBindings = {
  workers: [...bankWorkers, ...moreStatehouses.map((s) => s.worker)],
  // The bank example's read side too: its test reads the balances as a client would.
  serviceBindings: { BANK_BALANCES: "statehouse-bank-balances", ...Object.fromEntries(moreStatehouses.map((s) => [s.binding, s.worker.name])) },
  d1Databases: Object.fromEntries(moreStatehouses.map((s) => [s.database, s.worker.name])),
};

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

/** The resize file that counts every entity of the deployment (see the resize project). */
const RESIZE_OWN_WORKERD = "test/resize/reconciler-during-move.int.test.ts";

export default defineConfig({
  test: {
    // A file's background work can still be talking to vitest when the file ends (a retry's log
    // line, a restarted object loading a module); vitest then rejects that call with an
    // EnvironmentTeardownError and, unhandled, it would fail the whole run though every test
    // passed. Such an error is printed as one line and fails nothing; any other error counts.
    onUnhandledError(error) {
      if (error.name !== "EnvironmentTeardownError") return;
      process.stderr.write(`[teardown] ${error.message.split("\n")[0]}\n`);
      return false;
    },
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores that is one file at a
    // time. A workerd test file often waits (on workerd, on a handler, on a retry's delay), so one
    // slot more than the cores keeps them busy: 3 slots took npm test from 174 s to 164 s on a
    // 2-core machine (otherwise the same configuration).
    maxWorkers: availableParallelism() + 1,
    sequence: { sequencer: ProjectOrderSequencer },
    projects: [
      project("default", ["test/**/*.int.test.ts", "test/**/*.e2e.test.ts", "test/**/*.protocol.test.ts"], defaultVars, {
        statehouses: moreStatehouseBindings,
        exclude: ["test/strict/**", "test/cli/**", "test/partitions/**", "test/resize/**", "test/small-log/**", ...OWN_WORKERD],
      }),
      project("default-isolated", OWN_WORKERD, defaultVars, { isolate: true }),
      // Two partitions: every read, write and operator path across partition stores and queues. Its
      // two files run side by side anyway, and pipeline's lag must not see the other's leftovers.
      project("partitions", ["test/partitions/**/*.test.ts"], { STATEHOUSE_PARTITIONS: "2" }, { queues: secondPartition, isolate: true }),
      // A log whose partition keeps 4 entries in its store and holds at most 8: archive and cap at work.
      // Its files run one after another as one (test/support/file-after-file.ts), as do strict's and resize's.
      project("small-log", ["test/small-log/files.test.ts"], { STATEHOUSE_LOG_HOT_ENTRIES: "4", STATEHOUSE_LOG_HOT_MAX_ENTRIES: "8" }),
      // A deployment that ran with one partition and is resized to two while commands keep coming.
      // One file counts every entity of the deployment (status.entities), which a message another
      // file left in the Queue broker (it outlives reset()) would add to: it gets a workerd of its own.
      project("resize", ["test/resize/files.test.ts"], { STATEHOUSE_PARTITIONS: "1" }, { queues: secondPartition }),
      project("resize-isolated", [RESIZE_OWN_WORKERD], { STATEHOUSE_PARTITIONS: "1" }, { queues: secondPartition, isolate: true }),
      // Pure tests need no workerd, and share their Node worker (none keeps state between files).
      defineProject({ test: { name: "unit", include: NODE_UNIT_TESTS, environment: "node", isolate: false } }),
      project("strict", ["test/strict/files.test.ts"], {
        STATEHOUSE_AUTH: "off",
        STATEHOUSE_API_TOKENS: "",
        COS_WRITE_SIDE_PROTO_VALIDATION: "true",
        COS_WRITE_SIDE_EVENT_PROTOS: "google.protobuf.Struct, test.v1.Deposit",
        COS_WRITE_SIDE_STATE_PROTOS: "google.protobuf.Struct",
        COS_JOURNAL_LOGICAL_DELETION: "true",
      }),
      // The CLI against a real `wrangler dev` on 127.0.0.1 (Node, not workerd).
      defineProject({ test: { name: "cli", include: ["test/cli/**/*.e2e.test.ts"], environment: "node", hookTimeout: 120_000 } }),
    ],
  },
});
