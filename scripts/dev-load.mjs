#!/usr/bin/env node
// Load test of `npm run dev`: catches a local Queue that stops dispatching (the miniflare broker
// stall, docs/upstream/miniflare-queue-broker-stall.md) and a dev server that dies under load.
//
//   npm run dev:load                                # one run: 20 writers, 50 entities, 30 s
//   npm run dev:load -- --runs 10                   # ten runs, each on a fresh dev server and state
//   npm run dev:load -- --writers 3 --event-bytes 300000   # big events: each command opens an
//                                                          # account whose owner is that long
//
// Each run starts `npm run dev` on free 127.0.0.1 ports with its state in a new temporary folder,
// opens the accounts, then lets the writers send bank commands (deposits of 1; opens of new
// accounts with --event-bytes) for --seconds or until --max-commands, whichever comes first. Then it
// reads the global log (GET /api/v1/log) until every committed event (every 2xx reply's entity and
// revision) is in it, for at most --drain-seconds. A run fails when an event is missing by then
// (the queue stalled), when the dev server exited, or when the writers saw no commit at all.
// Exit code: 0 when every run passed, 1 otherwise. Not part of `npm test` (about a minute a run).
// Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "1" },
    writers: { type: "string", default: "20" },
    entities: { type: "string", default: "50" },
    seconds: { type: "string", default: "30" },
    "max-commands": { type: "string", default: "20000" },
    "event-bytes": { type: "string", default: "0" },
    "drain-seconds": { type: "string", default: "90" },
    "start-seconds": { type: "string", default: "120" },
    "keep-logs": { type: "boolean", default: false },
  },
});
const cfg = {
  runs: int("runs", 1, 50),
  writers: int("writers", 1, 100),
  entities: int("entities", 1, 1000),
  seconds: int("seconds", 1, 300),
  maxCommands: int("max-commands", 1, 100000),
  eventBytes: int("event-bytes", 0, 900000),
  drainSeconds: int("drain-seconds", 1, 600),
  startSeconds: int("start-seconds", 10, 600),
};

function int(name, min, max) {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(`[dev-load ${new Date().toISOString().slice(11, 23)}]`, ...a);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function request(base, path, init = {}, timeoutMs = 30000) {
  const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/** RSS in MiB of the node and workerd processes under pid, as "name:pid". */
function treeRss(pid) {
  const children = new Map();
  const info = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, "utf8"))?.[1] ?? 0) / 1024;
      info.set(Number(d), { name, rss });
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // the process ended meanwhile
    }
  }
  const out = {};
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    const i = info.get(p);
    if (i && (i.name === "node" || i.name === "workerd")) out[`${i.name}:${p}`] = Math.round(i.rss);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

async function oneRun(runNo) {
  const t0 = Date.now();
  const [port, balancesPort, inspectorPort] = [await freePort(), await freePort(), await freePort()];
  const base = `http://127.0.0.1:${port}`;
  const state = mkdtempSync(join(tmpdir(), "statehouse-dev-load-"));
  const devLog = join(state, "dev.log");
  const fd = openSync(devLog, "w");
  const dev = spawn("npm", ["run", "dev"], {
    cwd: root,
    detached: true, // its own process group, so the whole dev server stops with it
    stdio: ["ignore", fd, fd],
    env: {
      ...process.env,
      PORT: String(port),
      BALANCES_PORT: String(balancesPort),
      BALANCES_INSPECTOR_PORT: String(inspectorPort),
      STATEHOUSE_DEV_PERSIST_TO: join(state, "state"),
    },
  });
  closeSync(fd);
  let exited = null;
  dev.on("exit", (code, signal) => (exited = { code, signal, at: Date.now() }));
  const peakRss = {};
  const sampleRss = () => {
    for (const [k, v] of Object.entries(treeRss(dev.pid))) if (v > (peakRss[k] ?? 0)) peakRss[k] = v;
  };
  const result = { run: runNo, port, pass: false, reason: "", commands: 0, committed: 0, rejected: {}, errors: 0, logged: 0 };

  try {
    // 1. wait for the dev server
    const startBy = Date.now() + cfg.startSeconds * 1000;
    for (;;) {
      if (exited) throw new Error(`dev server exited while starting (${JSON.stringify(exited)})`);
      if (Date.now() > startBy) throw new Error(`dev server not up after ${cfg.startSeconds} s`);
      try {
        if ((await request(base, "/healthz", {}, 2000)).status === 200) break;
      } catch {
        // not listening yet
      }
      await sleep(500);
    }
    result.start_ms = Date.now() - t0;
    const head0 = (await request(base, "/api/v1/log?limit=1")).body.head_offset ?? 0;

    // 2. write
    const prefix = `load-${Date.now().toString(36)}`;
    const committed = new Map(); // "entity#revision" -> true
    const owner = cfg.eventBytes > 0 ? "x".repeat(cfg.eventBytes) : "load";
    const send = async (entity, command) => {
      result.commands++;
      try {
        const r = await request(base, `/api/v1/entities/${entity}/commands`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ command }),
        });
        if (r.status >= 200 && r.status < 300 && r.body?.meta?.revision_number) {
          committed.set(`${entity}#${r.body.meta.revision_number}`, true);
        } else {
          result.rejected[r.status] = (result.rejected[r.status] ?? 0) + 1;
        }
      } catch (e) {
        result.errors++;
        result.last_error = String(e?.cause?.code ?? e?.name ?? e);
      }
    };
    const entities = Array.from({ length: cfg.entities }, (_, i) => `${prefix}-${i}`);
    if (cfg.eventBytes === 0) {
      for (let i = 0; i < entities.length; i += cfg.writers) {
        await Promise.all(entities.slice(i, i + cfg.writers).map((e) => send(e, { type: "open", owner })));
      }
    }
    const tLoad = Date.now();
    const loadUntil = tLoad + cfg.seconds * 1000;
    let budget = cfg.maxCommands;
    let progressAt = tLoad + 5000;
    const writer = async (w) => {
      for (let n = 0; Date.now() < loadUntil && budget > 0 && !exited; n++) {
        budget--;
        if (cfg.eventBytes > 0) await send(`${prefix}-w${w}-${n}`, { type: "open", owner });
        else await send(entities[(w + n * cfg.writers) % entities.length], { type: "deposit", amount: 1 });
      }
    };
    const progress = (async () => {
      while (Date.now() < loadUntil && budget > 0 && !exited) {
        await sleep(250);
        if (Date.now() < progressAt) continue;
        progressAt += 5000;
        sampleRss();
        let head = "?";
        try {
          head = (await request(base, "/api/v1/log?limit=1", {}, 5000)).body.head_offset - head0;
        } catch {
          // busy; the next sample will tell
        }
        log(`run ${runNo}: ${Math.round((Date.now() - tLoad) / 1000)} s, ${committed.size} committed, log at ${head}`);
      }
    })();
    await Promise.all([...Array.from({ length: cfg.writers }, (_, w) => writer(w)), progress]);
    result.load_ms = Date.now() - tLoad;
    result.committed = committed.size;
    result.cmd_per_s = Math.round((committed.size / result.load_ms) * 1000);
    sampleRss();
    if (exited) throw new Error(`dev server exited during the load (${JSON.stringify(exited)})`);
    if (committed.size === 0) throw new Error("no command committed");

    // 3. the log must reach every committed event
    const tDrain = Date.now();
    const drainBy = tDrain + cfg.drainSeconds * 1000;
    const seen = new Set();
    let from = head0 + 1;
    let lastGrowth = tDrain;
    while (seen.size < committed.size) {
      if (exited) throw new Error(`dev server exited while the log drained (${JSON.stringify(exited)})`);
      if (Date.now() > drainBy) break;
      let page;
      try {
        page = (await request(base, `/api/v1/log?from=${from}&limit=1000`, {}, 30000)).body;
      } catch {
        await sleep(500);
        continue;
      }
      const before = seen.size;
      for (const e of page.entries ?? []) {
        const key = `${e.entity_id}#${e.revision}`;
        if (committed.has(key)) seen.add(key);
      }
      if (seen.size > before) lastGrowth = Date.now();
      if (typeof page.next_offset === "number") from = page.next_offset;
      if ((page.entries ?? []).length === 0) await sleep(500);
    }
    result.logged = seen.size;
    result.drain_ms = Date.now() - tDrain;
    sampleRss();
    if (seen.size < committed.size) {
      throw new Error(
        `STALL: the log holds ${seen.size} of ${committed.size} committed events after ${cfg.drainSeconds} s ` +
          `(no new one for the last ${Math.round((Date.now() - lastGrowth) / 1000)} s)`,
      );
    }
    result.pass = true;
  } catch (e) {
    result.reason = e instanceof Error ? e.message : String(e);
  } finally {
    result.total_ms = Date.now() - t0;
    result.peak_rss_mib = peakRss;
    await stop(dev, () => exited);
    const text = readFileSync(devLog, "utf8");
    result.dev_log = {
      network_connection_lost: (text.match(/Network connection lost/g) ?? []).length,
      broker_log_call_failed: (text.match(/queue broker: a log call failed/g) ?? []).length,
      heap: (text.match(/heap out of memory|JavaScript heap|heap limit/gi) ?? []).length,
    };
    if (!result.pass) {
      log(`run ${runNo} FAILED: ${result.reason}; last lines of the dev server's output (${devLog}):`);
      console.log(text.split("\n").slice(-25).join("\n"));
    }
    if (result.pass && !opts["keep-logs"]) rmSync(state, { recursive: true, force: true });
    else result.kept = state;
  }
  return result;
}

/** Stops the dev server's whole process group: SIGTERM, then SIGKILL after 10 s. */
async function stop(child, exited) {
  const group = -child.pid;
  const alive = () => {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(group, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 40 && alive(); i++) await sleep(250);
  if (alive()) {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  for (let i = 0; i < 20 && !exited(); i++) await sleep(100);
}

const results = [];
log(`config ${JSON.stringify(cfg)}`);
for (let i = 1; i <= cfg.runs; i++) {
  const r = await oneRun(i);
  results.push(r);
  log(`run ${i}: ${r.pass ? "PASS" : "FAIL"} ${JSON.stringify(r)}`);
}
const passed = results.filter((r) => r.pass).length;
log(`${passed} of ${results.length} runs passed; total ${results.map((r) => Math.round(r.total_ms / 1000) + " s").join(", ")}`);
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
