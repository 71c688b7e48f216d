// The load generator: keep-alive HTTP/1.1 from Node to 127.0.0.1, bounded in count and time.
import http from "node:http";
import { readFileSync } from "node:fs";

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024, keepAliveMsecs: 10_000 });

/** One HTTP answer. */
export interface Answer {
  status: number;
  body: Buffer;
}

/** POSTs (or GETs, without a body) to `base` with the Host header that picks the Worker. */
export function request(base: URL, host: string, path: string, body?: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path,
        method: body === undefined ? "GET" : "POST",
        headers: { host, ...(body === undefined ? {} : { "content-length": String(body.byteLength) }), ...headers },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${host}${path}`)));
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/**
 * GETs JSON and throws on a non-2xx answer. A dropped connection is tried again (5 attempts,
 * 250 ms apart): right after an overload run, workerd's local entry can still reset sockets, and a
 * counter read must not end the whole benchmark.
 */
export async function getJson<T>(base: URL, host: string, path: string, body?: Uint8Array): Promise<T> {
  let a: Awaited<ReturnType<typeof request>> | undefined;
  for (let attempt = 1; a === undefined; attempt++) {
    try {
      a = await request(base, host, path, body);
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      if (attempt >= 5 || (code !== "ECONNRESET" && code !== "ECONNREFUSED" && code !== "EPIPE")) throw cause;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  if (a.status >= 300) throw new Error(`${host}${path} answered ${a.status}: ${a.body.toString().slice(0, 300)}`);
  return JSON.parse(a.body.toString()) as T;
}

/** One request of a load run. */
export interface Shot {
  host: string;
  path: string;
  body?: Uint8Array;
  headers?: Record<string, string>;
}

/** What a load run measured. */
export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  latenciesMs: number[];
  /** CPU seconds used by workerd (all Workers and objects) and by this Node process during the run. */
  workerdCpuS: number;
  clientCpuS: number;
}

/**
 * Sends `total` requests with at most `concurrency` in flight, stopping early at `timeLimitMs`.
 * `shot(i)` builds request i. Latency is measured per request with hrtime.
 */
export async function runLoad(
  base: URL,
  total: number,
  concurrency: number,
  shot: (i: number) => Shot,
  opts: { timeLimitMs: number; workerdPid?: number; ok?: (a: Answer) => boolean },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const deadline = Date.now() + opts.timeLimitMs;
  const cpu0 = process.cpuUsage();
  const w0 = cpuSeconds(opts.workerdPid);
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < total && Date.now() < deadline) {
      const i = next++;
      const s = shot(i);
      const start = process.hrtime.bigint();
      try {
        const a = await request(base, s.host, s.path, s.body, s.headers);
        if (a.status === 200 && (opts.ok === undefined || opts.ok(a))) {
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        } else {
          errors++;
          firstError ??= `${a.status} ${a.body.toString().slice(0, 200)}`;
        }
      } catch (cause) {
        errors++;
        firstError ??= String(cause);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, worker));
  const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return {
    sent: next,
    ok: latencies.length,
    errors,
    firstError,
    elapsedMs,
    latenciesMs: latencies,
    workerdCpuS: cpuSeconds(opts.workerdPid) - w0,
    clientCpuS: (cpu.user + cpu.system) / 1e6,
  };
}

/** CPU seconds (user + system) a process has used, from /proc; 0 when unknown. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
