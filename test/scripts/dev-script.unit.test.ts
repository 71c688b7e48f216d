// scripts/dev.sh run with a stand-in npx: its banner, its ports, and that it stops everything it started.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * What each stand-in `wrangler dev` does: "run" starts a grandchild (as npm exec starts wrangler,
 * which starts workerd) and waits; a number exits with it at once.
 */
interface Fake {
  balances: "run" | number;
  statehouse: "run" | number;
}

/**
 * A stand-in npx: appends its arguments to `calls`; `wrangler dev` behaves as `Fake` says, and a
 * running one records its grandchild's pid in `grandchildren`.
 */
function fakeNpx(dir: string, fake: Fake): string {
  const calls = path.join(dir, "calls");
  const kids = path.join(dir, "grandchildren");
  const act = (what: Fake[keyof Fake]) => (what === "run" ? `sleep 60 & echo $! >> "${kids}"; wait` : `exit ${what}`);
  writeFileSync(
    path.join(dir, "npx"),
    `#!/usr/bin/env bash
echo "$@" >> "${calls}"
[[ "$2" != "dev" ]] && exit 0
if [[ "$PWD" == */examples/bank-balances ]]; then ${act(fake.balances)}; else ${act(fake.statehouse)}; fi
`,
  );
  chmodSync(path.join(dir, "npx"), 0o755);
  return dir;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

/** Starts dev.sh with `args` and `env` over a stand-in npx. */
function startDev(args: string[], fake: Fake, env: Record<string, string> = {}) {
  const dir = fakeNpx(mkdtempSync(path.join(tmpdir(), "dev-sh-")), fake);
  const child = spawn("bash", [path.join(root, "scripts/dev.sh"), ...args], {
    // Ports nothing else on a shared machine is likely to hold; dev.sh checks them anyway.
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, PORT: "18987", BALANCES_PORT: "18988", ...env },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    npx: () => (existsSync(path.join(dir, "calls")) ? readFileSync(path.join(dir, "calls"), "utf8") : ""),
    grandchildren: () => (existsSync(path.join(dir, "grandchildren")) ? readFileSync(path.join(dir, "grandchildren"), "utf8").trim().split("\n").filter(Boolean).map(Number) : []),
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !/^Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] ?? "");
  } catch {
    return false;
  }
};

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function holdPort(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => resolve(s));
  });
}

// Each test starts bash, node and stand-in wranglers: seconds on a loaded 2-core machine.
describe("scripts/dev.sh", { timeout: 30_000 }, () => {
  it("says auth is off when started as it is", async () => {
    const dev = startDev([], { balances: "run", statehouse: 0 });
    await dev.exited;
    expect(dev.out()).toMatch(/auth off/);
    expect(dev.npx()).toContain("STATEHOUSE_AUTH:off");
  });

  it("says auth is on when started with --var STATEHOUSE_AUTH:on", async () => {
    const dev = startDev(["--var", "STATEHOUSE_AUTH:on"], { balances: "run", statehouse: 0 });
    await dev.exited;
    expect(dev.out()).not.toMatch(/auth off/);
    expect(dev.out()).toMatch(/auth on/);
    expect(dev.npx()).toContain("STATEHOUSE_AUTH:on");
  });

  it("fails, and stops Statehouse with everything under it, when the read side's wrangler dies", async () => {
    const dev = startDev([], { balances: 7, statehouse: "run" });
    const code = await dev.exited;
    expect(code).toBe(7);
    expect(dev.err()).toMatch(/the bank read side's wrangler .* exited \(status 7\); stopping the rest/);
    const kids = dev.grandchildren();
    for (const pid of kids) await until(() => !alive(pid), `grandchild ${pid} to be stopped`);
  });

  it("fails when Statehouse's wrangler exits, and stops the read side's", async () => {
    const dev = startDev([], { balances: "run", statehouse: 1 });
    expect(await dev.exited).toBe(1);
    expect(dev.err()).toMatch(/Statehouse's wrangler .* exited \(status 1\)/);
    for (const pid of dev.grandchildren()) await until(() => !alive(pid), `grandchild ${pid} to be stopped`);
  });

  it.each(["SIGINT", "SIGTERM"] as const)("stops every process it started on %s", async (signal) => {
    const dev = startDev([], { balances: "run", statehouse: "run" });
    await until(() => dev.grandchildren().length === 2, "both stand-in wranglers to start");
    dev.child.kill(signal);
    expect(await dev.exited).not.toBe(0);
    for (const pid of dev.grandchildren()) await until(() => !alive(pid), `grandchild ${pid} to be stopped`);
  });

  it("refuses to start, naming the variable, when PORT is in use", async () => {
    const busy = await holdPort();
    try {
      const port = String((busy.address() as { port: number }).port);
      const dev = startDev([], { balances: "run", statehouse: "run" }, { PORT: port });
      expect(await dev.exited).toBe(1);
      expect(dev.err()).toContain(`port ${port} (PORT) is already in use on 127.0.0.1`);
      expect(dev.npx()).toBe("");
    } finally {
      busy.close();
    }
  });

  it("gives each wrangler its own free inspector port, and prints both", async () => {
    const dev = startDev([], { balances: "run", statehouse: "run" });
    await until(() => dev.grandchildren().length === 2, "both stand-in wranglers to start");
    dev.child.kill("SIGTERM");
    await dev.exited;
    const lines = dev.npx().split("\n").filter((l) => l.includes("--inspector-port"));
    const inspectorOf = (l: string | undefined) => /--inspector-port (\d+)/.exec(l ?? "")?.[1];
    const statehouse = inspectorOf(lines.find((l) => l.includes("examples/bank/wrangler.toml")));
    const balances = inspectorOf(lines.find((l) => !l.includes("examples/bank/wrangler.toml")));
    expect(statehouse).toMatch(/^\d+$/);
    expect(balances).toMatch(/^\d+$/);
    expect(statehouse).not.toBe(balances);
    expect(dev.out()).toContain(`inspectors (chrome://inspect): statehouse 127.0.0.1:${statehouse}, bank read side 127.0.0.1:${balances}`);
  });

  it("refuses to start, naming the variable, when a pinned inspector port is in use", async () => {
    const busy = await holdPort();
    try {
      const port = String((busy.address() as { port: number }).port);
      const dev = startDev([], { balances: "run", statehouse: "run" }, { BALANCES_INSPECTOR_PORT: port });
      expect(await dev.exited).toBe(1);
      expect(dev.err()).toContain(`port ${port} (BALANCES_INSPECTOR_PORT) is already in use on 127.0.0.1`);
      expect(dev.npx()).toBe("");
    } finally {
      busy.close();
    }
  });

  it("turns off wrangler's telemetry notice, update check and the offline Request.cf fetch", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "dev-sh-env-"));
    writeFileSync(path.join(dir, "npx"), `#!/usr/bin/env bash\nenv | grep -E '^(WRANGLER|CLOUDFLARE)_' | sort >> "${dir}/env"\n[[ "$2" == "dev" && "$PWD" != */examples/bank-balances ]] && exit 0\n[[ "$2" == "dev" ]] && exec sleep 60\nexit 0\n`);
    chmodSync(path.join(dir, "npx"), 0o755);
    // Without the caller's own settings, which dev.sh leaves alone.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(WRANGLER|CLOUDFLARE)_/.test(k)));
    const child = spawn("bash", [path.join(root, "scripts/dev.sh")], { env: { ...inherited, PATH: `${dir}:${process.env.PATH}`, PORT: "18987", BALANCES_PORT: "18988" } });
    children.push(child);
    await new Promise((r) => child.on("exit", r));
    const env = readFileSync(path.join(dir, "env"), "utf8");
    for (const line of ["WRANGLER_SEND_METRICS=false", "WRANGLER_SEND_ERROR_REPORTS=false", "WRANGLER_HIDE_BANNER=true", "CLOUDFLARE_CF_FETCH_ENABLED=false"]) {
      expect(env).toContain(line);
    }
  });
});
