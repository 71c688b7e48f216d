// Starts and stops the Emmett peer (bench/peer/server.mjs) as its own Node process on 127.0.0.1.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

/** A running peer. */
export interface Peer {
  url: URL;
  pid: number;
  mode: string;
  stop(): Promise<void>;
}

/** Whether the peer's packages are installed (bench/run.sh installs them). */
export function peerInstalled(peerDir: string): boolean {
  return existsSync(path.join(peerDir, "node_modules/@event-driven-io/emmett-sqlite")) && existsSync(path.join(peerDir, "node_modules/sqlite3/build/Release/node_sqlite3.node"));
}

/** Starts the peer on a fresh database file; `mode` is "default" or "shared" (see server.mjs). */
export async function startPeer(peerDir: string, stateDir: string, mode: "default" | "shared"): Promise<Peer> {
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, [path.join(peerDir, "server.mjs"), path.join(stateDir, "emmett.db"), mode], {
    cwd: peerDir,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the Emmett peer did not start within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the Emmett peer exited with ${code}`)));
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    pid: child.pid!,
    mode,
    async stop() {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
