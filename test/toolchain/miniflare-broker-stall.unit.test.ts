// The bug itself, end to end in a real miniflare: one failed loopback log call after a queue batch
// must not stop the queue (docs/upstream/miniflare-queue-broker-stall.md). The test drops the
// connection of the broker's next `/core/log` call — what "Network connection lost" is under load —
// and then expects later messages to be delivered. Unpatched, the queue stays silent from then on.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let dropNextLogCall = false;
let droppedLogCalls = 0;
// Miniflare's loopback server is a node:http server: wrap its handler to drop one log call on cue.
const createServer = http.createServer;
http.createServer = ((...args: unknown[]) => {
  const handler = args.find((a) => typeof a === "function") as ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;
  if (handler !== undefined) {
    args[args.indexOf(handler)] = (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (dropNextLogCall && (req.url ?? "").includes("/core/log")) {
        dropNextLogCall = false;
        droppedLogCalls++;
        req.socket.destroy();
        return;
      }
      handler(req, res);
    };
  }
  return (createServer as (...a: unknown[]) => http.Server)(...args);
}) as typeof http.createServer;

const WORKER = `
let delivered = 0;
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/count") return Response.json(delivered);
    await env.Q.send({ at: Date.now() });
    return new Response("sent");
  },
  async queue(batch) {
    delivered += batch.messages.length;
    for (const m of batch.messages) m.ack();
  },
};`;

type Mf = { dispatchFetch(url: string): Promise<{ text(): Promise<string>; json(): Promise<unknown> }>; dispose(): Promise<void> };
let mf: Mf;

beforeAll(async () => {
  // Miniflare 5's own options shape is new; the v4 shape goes through the adapter wrangler uses.
  const { Miniflare, convertV4MiniflareOptions } = await import("miniflare");
  mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      workers: [
        {
          name: "q",
          modules: [{ type: "ESModule", path: "q.mjs", contents: WORKER }],
          compatibilityDate: "2026-11-03",
          queueProducers: { Q: { queueName: "q" } },
          queueConsumers: { q: { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 0 } },
        },
      ],
    } as never),
  ) as unknown as Mf;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  http.createServer = createServer;
});

async function send(n: number) {
  for (let i = 0; i < n; i++) await (await mf.dispatchFetch("http://localhost/")).text();
}
async function delivered() {
  return Number(await (await mf.dispatchFetch("http://localhost/count")).json());
}

describe("miniflare's local queue broker", () => {
  it("keeps dispatching after the log call that follows a batch fails", async () => {
    await send(3);
    await vi.waitFor(async () => expect(await delivered()).toBe(3), { timeout: 10_000, interval: 50 });

    dropNextLogCall = true; // the broker's "QUEUE q 1/1" log line after the next batch
    await send(1);
    await vi.waitFor(async () => expect(await delivered()).toBe(4), { timeout: 10_000, interval: 50 });
    await vi.waitFor(() => expect(droppedLogCalls).toBe(1), { timeout: 10_000, interval: 50 });

    await send(3);
    await vi.waitFor(async () => expect(await delivered()).toBe(7), { timeout: 10_000, interval: 50 });
  }, 60_000);
});
