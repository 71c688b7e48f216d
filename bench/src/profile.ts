// npm run bench -- --profile [--profile-commands=N]: a CPU profile of Statehouse's command path through workerd's inspector.
import path from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
// ws comes with miniflare (Node 20 has no WebSocket client without a flag).
import WebSocket from "ws";
import { runLoad } from "./client.js";
import { freePort, startStack, type Stack } from "./stack.js";
import { ladderTarget, statehouseDirectTarget, statehouseTarget, type Target } from "./targets.js";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
/** A V8 CPU profile (Profiler.stop's answer). */
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One CDP session on one Worker's isolate. */
class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, (v: unknown) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (msg.id === undefined) return;
      this.pending.get(msg.id)?.(msg.error === undefined ? msg.result : Promise.reject(new Error(JSON.stringify(msg.error))));
      this.pending.delete(msg.id);
    });
  }

  /** Connects to `worker`'s isolate on the inspector port (workerd names it core:user:<worker>). */
  static async open(port: number, worker: string): Promise<Inspector> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/core:user:${worker}`);
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return new Inspector(ws);
  }

  send<T>(method: string, params: object = {}): Promise<T> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.pending.set(id, resolve as (v: unknown) => void));
  }

  close(): void {
    this.ws.close();
  }
}

/** Which source module of a bundle each line belongs to, from esbuild's `// path` markers. */
function moduleMap(bundle: string): (line: number) => string {
  const starts: [number, string][] = [];
  bundle.split("\n").forEach((text, i) => {
    const m = /^\/\/ ((?:\.\.\/)*(?:src|node_modules|workers)\/\S+)$/.exec(text);
    if (m) starts.push([i, (m[1] as string).replace(/^(\.\.\/)+/, "")]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "?";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [start, name] = starts[mid] as [number, string];
      if (start <= line) {
        found = name;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Coarse areas of the command path, by source module. */
function areaOf(module: string): string {
  if (/node_modules\/hono\//.test(module) || /src\/front\//.test(module)) return "front door: hono + routes";
  if (/node_modules\/@connectrpc\/connect\/dist\/esm\/protocol/.test(module) || /src\/rpc\//.test(module)) return "Connect server/adapter + rpc/";
  if (/node_modules\/@connectrpc\//.test(module) || /src\/handlers\//.test(module)) return "handler client (connect-web)";
  if (/node_modules\/@bufbuild\/protobuf\//.test(module) || /src\/gen\//.test(module) || /src\/payload\//.test(module)) return "protobuf-es";
  if (/src\/entity\/|src\/journal\//.test(module)) return "entity + journal";
  if (/^workers\//.test(module)) return `bench: ${module}`;
  if (/node_modules\/zod\//.test(module) || /src\/config\//.test(module)) return "config / zod";
  return module;
}

/**
 * Self time per function and per area, in ms per command. A native frame (SQL exec, Queue send,
 * Response, streams) is charged to the area of the nearest JavaScript frame that called it, so
 * "entity + journal" includes the SQLite time its statements cost. Idle time is left out.
 */
function summarise(profile: CpuProfile, commands: number, modOf: (line: number) => string) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const moduleOf = (cf: CallFrame) => (cf.url.endsWith(".mjs") ? modOf(cf.lineNumber) : undefined);
  const areaCache = new Map<number, string>();
  const areaOfNode = (id: number): string => {
    const cached = areaCache.get(id);
    if (cached !== undefined) return cached;
    const n = byId.get(id) as ProfileNode;
    const module = moduleOf(n.callFrame);
    const p = parent.get(id);
    const area =
      module !== undefined ? areaOf(module) : p === undefined || byId.get(p)?.callFrame.functionName === "(root)" ? n.callFrame.functionName : areaOfNode(p);
    areaCache.set(id, area);
    return area;
  };
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const us = self.get(n.id) ?? 0;
    const cf = n.callFrame;
    if (us === 0 || cf.functionName === "(idle)") continue;
    const module = moduleOf(cf);
    const fn = `${cf.functionName || "(anonymous)"} ${module ?? "(native)"}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const area = areaOfNode(n.id);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    total += us;
  }
  const perCmd = (us: number) => us / 1000 / commands;
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => ({ what: k, msPerCommand: Number(perCmd(us).toFixed(4)) }));
  return { commands, sampledMsPerCommand: Number(perCmd(total).toFixed(4)), byArea: top(byArea, 20), byFunction: top(byFn, 40) };
}

/** Profiles the Worker `worker` while `target` runs `commands` commands one at a time. */
async function profileOne(stack: Stack, port: number, worker: string, target: Target, size: number, commands: number, outDir: string) {
  const id = `profile-${target.name.replace(/\W+/g, "_")}-${size}-${Date.now().toString(36)}`;
  const shot = (i: number) => target.shot(id, size);
  await runLoad(stack.url, 200, 1, shot, { timeLimitMs: 60_000 });
  const insp = await Inspector.open(port, worker);
  try {
    await insp.send("Profiler.enable");
    await insp.send("Profiler.setSamplingInterval", { interval: 50 });
    await insp.send("Profiler.start");
    const r = await runLoad(stack.url, commands, 1, shot, { timeLimitMs: 120_000, workerdPid: stack.workerdPid });
    if (r.errors > 0) console.warn(`  ! ${target.name}: ${r.errors} errors, first: ${r.firstError}`);
    const { profile } = await insp.send<{ profile: CpuProfile }>("Profiler.stop");
    const file = path.join(outDir, `${target.name.replace(/\W+/g, "_")}-${size}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return { profile, ok: r.ok, errors: r.errors, workerdCpuMsPerCommand: (r.workerdCpuS * 1000) / Math.max(1, r.ok), file };
  } finally {
    insp.close();
  }
}

/** Entry: profiles Statehouse (sb, http, direct) and B4X2 (sb) at 100 B and 64 KB, one command at a time. */
export async function runProfiles(buildDir: string, resultsDir: string, migrationsDir: string, commands: number): Promise<void> {
  const port = await freePort();
  const stack = await startStack(buildDir, { readSides: false, migrationsDir, inspectorPort: port });
  const outDir = path.join(resultsDir, "profiles");
  mkdirSync(outDir, { recursive: true });
  const shModules = moduleMap(readFileSync(path.join(buildDir, "statehouse.mjs"), "utf8"));
  const ladderModules = moduleMap(readFileSync(path.join(buildDir, "ladder.mjs"), "utf8"));
  const summaries: Record<string, unknown> = {};
  try {
    const plan: [string, Target, (line: number) => string][] = [
      ["sh-sb", statehouseTarget("sb"), shModules],
      ["sh-http", statehouseTarget("http"), shModules],
      ["sh-sb", statehouseDirectTarget("sb"), shModules],
      ["bench-ladder", ladderTarget("b4x2", "sb"), ladderModules],
    ];
    for (const size of [100, 64 * 1024]) {
      for (const [worker, target, mods] of plan) {
        const n = size > 1000 ? Math.ceil(commands / 4) : commands;
        const r = await profileOne(stack, port, worker, target, size, n, outDir);
        const s = summarise(r.profile, r.ok, mods);
        const key = `${target.name} ${size} B`;
        summaries[key] = { ...s, workerdCpuMsPerCommand: Number(r.workerdCpuMsPerCommand.toFixed(3)), errors: r.errors, file: path.relative(resultsDir, r.file) };
        console.log(`\n## ${key}: ${r.ok} commands, sampled JS+native in ${worker}'s isolate ${s.sampledMsPerCommand} ms/cmd, workerd CPU ${r.workerdCpuMsPerCommand.toFixed(3)} ms/cmd`);
        for (const a of s.byArea) console.log(`  ${a.msPerCommand.toFixed(4).padStart(8)}  ${a.what}`);
        console.log("  top functions:");
        for (const f of s.byFunction.slice(0, 25)) console.log(`  ${f.msPerCommand.toFixed(4).padStart(8)}  ${f.what}`);
      }
    }
    writeFileSync(path.join(outDir, "summary.json"), `${JSON.stringify(summaries, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), outDir)}/*.cpuprofile and summary.json`);
  } finally {
    await stack.dispose();
  }
}
