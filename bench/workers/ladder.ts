// The platform's floor, rung by rung (B0–B4), in one bench-only Worker and Durable Object.
//   B0 append loop inside the object · B1 Worker → DO call that does nothing · B2 + one-row append
//   B3 + the do-nothing write handler (1 call; B3x2: HandleCommand + HandleEvent, as the CoS protocol needs)
//   B4 + the Queue send.
import { DurableObject } from "cloudflare:workers";
import { readField, writeFields } from "./proto-wire.js";
import { countSql, settleSqlTotals } from "./sql-counter.js";

interface LadderEnv {
  BENCH: DurableObjectNamespace<BenchObject>;
  HANDLER: Fetcher;
  HANDLER_URL: string;
  BENCH_EVENTS: Queue;
}

const PROTO = { "content-type": "application/proto", "connect-protocol-version": "1" };
const HANDLER_PATH = "/chief_of_state.v1.WriteSideHandlerService/";
const queueCounts: Record<string, number> = {};
let doRequests = 0;

export interface Step {
  transport: "sb" | "http";
  calls: 0 | 1 | 2;
  append: boolean;
  send: boolean;
}

/** One object per bench entity; its journal is one table, one row per event. */
export class BenchObject extends DurableObject<LadderEnv> {
  private revision = 0;
  private state: Uint8Array = new Uint8Array();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: LadderEnv) {
    countSql(ctx.storage);
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS b_journal (revision INTEGER PRIMARY KEY, event BLOB NOT NULL, state BLOB NOT NULL, meta BLOB NOT NULL)");
    const row = sql.exec<{ r: number | null }>("SELECT max(revision) AS r FROM b_journal").one();
    this.revision = row.r ?? 0;
  }

  /** B1: nothing. */
  async noop(): Promise<number> {
    doRequests++;
    return this.revision;
  }

  /** B2–B4: the steps Statehouse takes for a one-event command, one command at a time. */
  async step(id: string, command: Uint8Array, s: Step): Promise<Uint8Array> {
    doRequests++;
    const run = this.tail.then(() => this.runStep(id, command, s));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** B0: `n` one-row appends in a loop; `durable` waits for each commit before the next. */
  async appendLoop(n: number, size: number, durable: boolean): Promise<number> {
    doRequests++;
    const payload = new Uint8Array(size).fill(7);
    const meta = new Uint8Array(48).fill(1);
    for (let i = 0; i < n; i++) {
      this.ctx.storage.transactionSync(() => this.insert(++this.revision, payload, payload, meta));
      if (durable) await this.ctx.storage.sync();
    }
    return this.revision;
  }

  private async runStep(id: string, command: Uint8Array, s: Step): Promise<Uint8Array> {
    let event = command;
    let state = command;
    const meta = writeFields([[1, new TextEncoder().encode(id)]]);
    if (s.calls >= 1) {
      event = readField(await this.callHandler(s.transport, "HandleCommand", writeFields([[1, command], [2, this.state]])), 2) ?? command;
      state = event;
    }
    if (s.calls === 2) {
      state = readField(await this.callHandler(s.transport, "HandleEvent", writeFields([[1, event], [2, this.state], [3, meta]])), 1) ?? event;
    }
    if (s.append) {
      const revision = this.revision + 1;
      this.ctx.storage.transactionSync(() => this.insert(revision, event, state, meta));
      this.revision = revision;
      this.state = state;
    }
    if (s.send) {
      this.env.BENCH_EVENTS.send({ entityId: id, fromRevision: this.revision, toRevision: this.revision }, { contentType: "json" }).catch((cause: unknown) => {
        console.error("bench: queue send failed", cause);
      });
    }
    return state;
  }

  private async callHandler(transport: "sb" | "http", method: string, body: Uint8Array): Promise<Uint8Array> {
    const init = { method: "POST", headers: PROTO, body };
    const res =
      transport === "sb"
        ? await this.env.HANDLER.fetch(`http://handler.internal${HANDLER_PATH}${method}`, init)
        : await fetch(`${this.env.HANDLER_URL}${HANDLER_PATH}${method}`, init);
    if (!res.ok) throw new Error(`handler answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  private insert(revision: number, event: Uint8Array, state: Uint8Array, meta: Uint8Array): void {
    this.ctx.storage.sql.exec("INSERT INTO b_journal (revision, event, state, meta) VALUES (?, ?, ?, ?)", revision, blob(event), blob(state), blob(meta));
  }
}

function blob(b: Uint8Array): ArrayBuffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer);
}

const STEPS: Record<string, Omit<Step, "transport">> = {
  b2: { calls: 0, append: true, send: false },
  b3: { calls: 1, append: true, send: false },
  b3x2: { calls: 2, append: true, send: false },
  b4: { calls: 1, append: true, send: true },
  b4x2: { calls: 2, append: true, send: true },
};

export default {
  async fetch(req: Request, env: LadderEnv): Promise<Response> {
    try {
      return await route(req, env);
    } catch (cause) {
      console.error("bench ladder:", cause);
      return new Response(String(cause instanceof Error ? cause.stack : cause), { status: 500 });
    }
  },

  /** Counts what reaches each queue (Statehouse's too, when no read side consumes it). */
  async queue(batch: MessageBatch): Promise<void> {
    queueCounts[batch.queue] = (queueCounts[batch.queue] ?? 0) + batch.messages.length;
    batch.ackAll();
  },
} satisfies ExportedHandler<LadderEnv>;

async function route(req: Request, env: LadderEnv): Promise<Response> {
    const url = new URL(req.url);
    // Read every body, so keep-alive connections stay usable (and every rung pays for it alike).
    const command = new Uint8Array(await req.arrayBuffer());
    const [, rung = "", id = "e"] = url.pathname.split("/");
    if (rung === "counters") return Response.json({ queues: queueCounts, doRequests, sql: settleSqlTotals() });
    const stub = env.BENCH.get(env.BENCH.idFromName(decodeURIComponent(id)));
    if (rung === "b0") {
      const n = Number(url.searchParams.get("n") ?? 1000);
      const size = Number(url.searchParams.get("size") ?? 100);
      return Response.json({ revision: await stub.appendLoop(n, size, url.searchParams.get("durable") === "1") });
    }
    if (rung === "b1") return Response.json({ revision: await stub.noop() });
    const step = STEPS[rung];
    if (step === undefined) return new Response("no such rung", { status: 404 });
    const transport = url.searchParams.get("t") === "http" ? "http" : "sb";
    const state = await stub.step(id, command, { ...step, transport });
    return new Response(state, { headers: { "content-type": "application/proto" } });
}
