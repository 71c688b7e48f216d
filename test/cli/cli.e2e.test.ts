// Clients against a running local Statehouse (`wrangler dev` on 127.0.0.1): the CLI as a child process, an eskit client.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConsumerService } from "../../src/gen/contracts/consumerstore/service_pb.js";
import { CrudStoreService } from "../../src/gen/contracts/crudstore/service_pb.js";
import { EventstoreService } from "../../src/gen/contracts/eventstore/service_pb.js";
import { callsOf, configure } from "../fixtures/read-side-handler/behaviour.js";
import { startReadSideHandlerServer } from "../fixtures/read-side-handler/node-server.js";
import { startTestHandlerServer } from "../fixtures/test-handler/node-server.js";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const API_TOKEN = "cli-api-token-0123456789";
const ADMIN_TOKEN = "cli-admin-token-0123456789";
const wranglerBin = path.join(root, "node_modules/wrangler/bin/wrangler.js");

let dev: ChildProcess | undefined;
let base = "";
let readSideUrl = "";
let persist = "";
let log = "";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Runs the CLI; never throws, so a test can assert on a failure's exit code and message. */
async function cli(args: string[], env: Record<string, string> = { STATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN }) {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, "cli/statehouse.mjs"), ...args], {
      env: { PATH: process.env.PATH ?? "", STATEHOUSE_URL: base, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (cause) {
    const e = cause as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  persist = mkdtempSync(path.join(tmpdir(), "statehouse-cli-"));
  const writeHandler = await startTestHandlerServer(path.join(root, "test/.build/test-types.binpb"));
  readSideUrl = (await startReadSideHandlerServer()).url;
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };
  await run(process.execPath, [wranglerBin, "d1", "migrations", "apply", "DB", "--local", "-c", "wrangler.toml", "--persist-to", persist], { cwd: root, env });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const vars = {
    STATEHOUSE_AUTH: "on",
    STATEHOUSE_API_TOKENS: API_TOKEN,
    STATEHOUSE_ADMIN_TOKENS: ADMIN_TOKEN,
    WRITE_HANDLER_URL: writeHandler.url,
    STATEHOUSE_ALLOW_LOCAL_HTTP: "true",
  };
  const args = [wranglerBin, "dev", "-c", "wrangler.toml", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort()),
    "--persist-to", persist, "--show-interactive-dev-session=false", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])];
  dev = spawn(process.execPath, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  dev.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  dev.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  await vi.waitFor(
    async () => {
      if (dev?.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
      const res = await fetch(`${base}/healthz`);
      if (!res.ok) throw new Error(`healthz ${res.status}`);
    },
    { timeout: 60_000, interval: 250 },
  );
}, 120_000);

afterAll(() => {
  if (dev?.pid !== undefined && dev.exitCode === null) process.kill(-dev.pid, "SIGTERM");
  if (persist !== "") rmSync(persist, { recursive: true, force: true });
});

describe("statehouse CLI", { timeout: 60_000 }, () => {
  it("creates and lists read sides as a table", async () => {
    configure("cli-a", { mode: "ok" }, true);
    const created = await cli(["read-sides", "create", "cli-a", "--url", readSideUrl, "--protocol", "connect-json", "--policy", "skip"]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^id\s+cli-a$/m);
    const list = await cli(["read-sides", "list"]);
    expect(list.stdout).toMatch(/^ID\s+PROTOCOL\s+URL/m);
    expect(list.stdout).toMatch(/^cli-a\s+connect-json\s+http:\/\/127\.0\.0\.1/m);
  });

  it("shows a delivered event in offsets, cursors and status", async () => {
    const res = await fetch(`${base}/api/v1/entities/cli-e1/commands`, {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ command: { events: [{ n: 1 }, { n: 2 }] } }),
    });
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(callsOf("cli-a").filter((c) => c.entityId === "cli-e1").map((c) => c.revision)).toEqual([1, 2]), { timeout: 15_000 });
    await vi.waitFor(async () => expect((await cli(["read-sides", "cursors", "cli-a"])).stdout).toMatch(/^cli-e1\s+\d+\s+2\s+2\s+0\s+-\s+ok/m), { timeout: 10_000 });
    const offsets = await cli(["read-sides", "offsets", "cli-a"]);
    expect(offsets.stdout).toMatch(/^SHARD\s+OFFSET$/m);
    expect(offsets.stdout).toMatch(/^\d+\s+2$/m);
    const status = await cli(["read-sides", "status"]);
    expect(status.stdout).toMatch(/^cli-a\s+running\s+1\s+0\s+-\s+0\s+0\s+0$/m);
  });

  it("tails the event log, from an offset and live, with an API token", async () => {
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    await vi.waitFor(async () => expect(((await (await fetch(`${base}/api/v1/log`, { headers: auth })).json()) as any).entries.length).toBeGreaterThanOrEqual(2), { timeout: 15_000 });
    const past = await cli(["log", "tail", "--from", "1", "--count", "2"], { STATEHOUSE_API_TOKEN: API_TOKEN });
    expect(past.code, past.stderr).toBe(0);
    expect(past.stdout).toMatch(/^1\s+cli-e1@1\s+google\.protobuf\.Struct\s+\{"n":1\}$/m);
    expect(past.stdout).toMatch(/^2\s+cli-e1@2\s+google\.protobuf\.Struct\s+\{"n":2\}$/m);

    const head = ((await (await fetch(`${base}/api/v1/log?limit=1`, { headers: auth })).json()) as any).head_offset as number;
    const live = cli(["log", "tail", "--from", String(head + 1), "--count", "1", "--json"], { STATEHOUSE_API_TOKEN: API_TOKEN });
    await fetch(`${base}/api/v1/entities/cli-e2/commands`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ command: { events: [{ n: 7 }] } }),
    });
    const got = await live;
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout.trim())).toMatchObject({ offset: head + 1, entity_id: "cli-e2", revision: 1, event: { n: 7 } });

    // --entity: only that entity's entries (cli-e1's two, not cli-e2's).
    const one = await cli(["log", "tail", "--from", "1", "--entity", "cli-e2", "--count", "1"], { STATEHOUSE_API_TOKEN: API_TOKEN });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^${head + 1}\\s+cli-e2@1\\s+`, "m"));

    const noToken = await cli(["log", "tail", "--count", "1"], {});
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain("STATEHOUSE_API_TOKEN");
  });

  it("pauses and resumes", async () => {
    expect((await cli(["read-sides", "pause", "cli-a"])).stdout.trim()).toBe("paused cli-a");
    expect((await cli(["read-sides", "status", "cli-a"])).stdout).toMatch(/^cli-a\s+paused/m);
    expect((await cli(["read-sides", "resume", "cli-a"])).stdout.trim()).toBe("resumed cli-a");
    expect((await cli(["read-sides", "restart", "cli-a", "--shard", "3"])).stdout.trim()).toBe("restarted cli-a (shard 3)");
  });

  it("exits non-zero with the server's reason", async () => {
    const missing = await cli(["read-sides", "get", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe("statehouse: not_found: read side nope not found");
    const skip = await cli(["read-sides", "skip", "cli-a", "--entity", "cli-e1"]);
    expect(skip.code).toBe(1);
    expect(skip.stderr).toContain("failed_precondition: read side cli-a is not failing on entity cli-e1");
    const badShard = await cli(["read-sides", "pause", "cli-a", "--shard", "99"]);
    expect(badShard.stderr).toContain("invalid_argument: shard 99 does not exist");
  });

  it("says when the token is missing or the server is unreachable", async () => {
    const noToken = await cli(["read-sides", "list"], {});
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain("unauthenticated: missing admin bearer token");
    expect(noToken.stderr).toContain("STATEHOUSE_ADMIN_TOKEN");
    const down = await cli(["read-sides", "list", "--server", "http://127.0.0.1:9"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach http://127.0.0.1:9 (");
    expect(down.stderr).toContain("pass --server URL or set STATEHOUSE_URL");
    const unknown = await cli(["read-sides", "frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "read-sides frobnicate"');
  });
});

describe("eskit's clients against wrangler dev", { timeout: 60_000 }, () => {
  it("serves a connect-es client generated from eskit's protos, as eskit's users run it", async () => {
    const transport = createConnectTransport({
      baseUrl: base,
      interceptors: [(next) => (req) => (req.header.set("authorization", `Bearer ${API_TOKEN}`), next(req))],
    });
    const store = createClient(EventstoreService, transport);
    const originator = { id: `user-${Date.now()}`, version: "1" };
    await store.append({ event: { originator, eventType: "User.Created", payload: '{"name":"Ada"}', occuredOn: 1n } });
    await store.append({ event: { originator: { ...originator, version: "2" }, eventType: "User.Renamed", payload: '{"name":"Ada L."}', occuredOn: 2n } });
    const events = (await store.getEvents({ originator: { id: originator.id } })).events;
    expect(events.map((e) => [e.eventType, e.originator?.version])).toEqual([
      ["User.Created", "1"],
      ["User.Renamed", "2"],
    ]);
    await vi.waitFor(async () => {
      const logs = await store.logs({ fromId: "1", size: 20, selector: "User.*" });
      expect(logs.results.filter((r) => r.event?.originator?.id === originator.id).map((r) => r.event?.eventType)).toEqual(["User.Created", "User.Renamed"]);
    }, { timeout: 15_000 });

    const crud = createClient(CrudStoreService, transport);
    const created = await crud.create({ entityType: "Project", originator: { id: `p-${Date.now()}` }, payload: '{"name":"x","tags":["a"]}' });
    const id = created.originator?.id as string;
    await crud.update({ entityType: "Project", originator: { id, version: "1" }, payload: '{"name":"y","tags":["a"]}' });
    expect(JSON.parse((await crud.get({ entityType: "Project", originator: { id, version: "1" } })).payload)).toEqual({ name: "x", tags: ["a"] });
    expect(JSON.parse((await crud.get({ entityType: "Project", originator: { id } })).payload)).toEqual({ name: "y", tags: ["a"] });

    const consumers = createClient(ConsumerService, transport);
    await consumers.logConsume({ consumerId: "cli-eskit", offset: "1" });
    expect((await consumers.getLogConsume({ consumerId: "cli-eskit" })).offset).toBe("1");
  });
});
