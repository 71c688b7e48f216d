// Playwright's global setup: `npm run dev` on free 127.0.0.1 ports, with auth on and a fresh state
// folder, in its own process group, stopped (the whole group) after the run.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The tokens the dev server is started with; the tests sign in with them. */
export const ADMIN_TOKEN = "console-admin-token-0123456789";
export const API_TOKEN = "console-api-token-0123456789ab";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "../..");
const START_TIMEOUT_MS = 120_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function stop(dev: ChildProcess): void {
  if (dev.pid === undefined || dev.exitCode !== null) return;
  try {
    process.kill(-dev.pid, "SIGTERM");
  } catch (cause) {
    // ESRCH: the group is gone already.
    if ((cause as NodeJS.ErrnoException).code !== "ESRCH") throw cause;
  }
}

/** The browser the suite drives (playwright.config.ts reads the same variable). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Starts the dev server, waits for /healthz, and returns the teardown that stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH. Playwright's own browser download is not used.`);
  }
  const [port, balancesPort, inspectorPort] = [await freePort(), await freePort(), await freePort()];
  const state = mkdtempSync(join(tmpdir(), "statehouse-console-"));
  const logPath = join(state, "dev.log");
  const fd = openSync(logPath, "w");
  const dev = spawn(
    "npm",
    ["run", "dev", "--", "--var", "STATEHOUSE_AUTH:on", "--var", `STATEHOUSE_API_TOKENS:${API_TOKEN}`, "--var", `STATEHOUSE_ADMIN_TOKENS:${ADMIN_TOKEN}`],
    {
      cwd: root,
      detached: true, // its own process group: the teardown stops wrangler and workerd with it
      stdio: ["ignore", fd, fd],
      env: {
        ...process.env,
        PORT: String(port),
        BALANCES_PORT: String(balancesPort),
        BALANCES_INSPECTOR_PORT: String(inspectorPort),
        STATEHOUSE_DEV_PERSIST_TO: join(state, "state"),
      },
    },
  );
  closeSync(fd);
  const base = `http://127.0.0.1:${port}`;
  const teardown = async () => {
    stop(dev);
    await new Promise((r) => setTimeout(r, 500));
    // CONSOLE_KEEP_STATE=1 keeps the dev server's log and state for a look after the run.
    if (process.env.CONSOLE_KEEP_STATE === "1") console.log(`console tests: dev server log and state kept in ${state}`);
    else rmSync(state, { recursive: true, force: true });
  };
  const by = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (dev.exitCode !== null) {
      const log = readFileSync(logPath, "utf8");
      await teardown();
      throw new Error(`npm run dev exited (${dev.exitCode}):\n${log.slice(-3000)}`);
    }
    if (Date.now() > by) {
      await teardown();
      throw new Error(`npm run dev was not up after ${START_TIMEOUT_MS / 1000} s (log: ${logPath})`);
    }
    const up = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  process.env.CONSOLE_BASE_URL = base;
  process.env.CONSOLE_DEV_LOG = logPath;
  return teardown;
}
