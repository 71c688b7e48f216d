// S1–S3 (issue 9): live subscriptions to one entity, the global log's live stream, and the log's central-store rows per event.
import http from "node:http";
import { performance } from "node:perf_hooks";
import { cpuSeconds, request } from "./client.js";
import { type CentralStore, centralStore, settledCounters, shCounters } from "./central-store.js";
import { sleep } from "./measure.js";
import { percentile } from "./stats.js";
import { hostOf, type Stack, type StreamWorker } from "./stack.js";
import { LOG_ROWS_PER_EVENT_TARGET, entityStreamPath, logStreamPath, statehouseTarget } from "./targets.js";
import { openLoop, type Plan } from "./workloads.js";
import { readField, readVarintField } from "../workers/proto-wire.js";

let streamRun = 0;
const uniqueId = (what: string) => `${what}-${Date.now().toString(36)}-${++streamRun}`;

/** One received SSE event: its id line, event name, data line (kept only when asked for) and arrival time. */
interface SseReceipt {
  id: number;
  event: string;
  data?: string;
  /** performance.now() and Date.now() when the chunk holding the event's end arrived. */
  atPerf: number;
  atMs: number;
}

/** An open SSE stream from the Node client: every event is recorded, nothing is interpreted on the way. */
interface SseReader {
  receipts: SseReceipt[];
  /** Resolves when the response's first bytes (`: stream open`) arrived; rejects on a non-200 answer or an error. */
  opened: Promise<void>;
  /** Set when the stream ended or failed after opening. */
  ended?: string;
  close(): void;
}

/** Opens an SSE stream on its own socket (no keep-alive agent: each stream holds a connection). */
function openSse(base: URL, host: string, path: string, keepData: boolean): SseReader {
  const receipts: SseReceipt[] = [];
  let buf = "";
  let req: http.ClientRequest | undefined;
  const reader: SseReader = {
    receipts,
    opened: undefined as unknown as Promise<void>,
    close() {
      req?.destroy();
    },
  };
  reader.opened = new Promise<void>((resolve, reject) => {
    req = http.get({ host: base.hostname, port: base.port, path, agent: false, headers: { host, accept: "text/event-stream" }, timeout: 0 }, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`)));
        return;
      }
      res.setEncoding("utf8");
      let first = true;
      res.on("data", (chunk: string) => {
        const atPerf = performance.now();
        const atMs = Date.now();
        if (first) {
          first = false;
          resolve();
        }
        buf += chunk;
        let cut: number;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          if (block.startsWith(":")) continue;
          let id = NaN;
          let event = "message";
          let data: string | undefined;
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) id = Number(line.slice(4));
            else if (line.startsWith("event: ")) event = line.slice(7);
            else if (keepData && line.startsWith("data: ")) data = line.slice(6);
          }
          receipts.push({ id, event, data, atPerf, atMs });
        }
      });
      res.on("end", () => (reader.ended ??= "ended"));
      res.on("error", (e) => (reader.ended ??= String(e)));
    });
    req.on("error", (e) => {
      reader.ended ??= String(e);
      reject(e);
    });
  });
  return reader;
}

/** One command to `entity` on a Statehouse configuration; the revision it committed and when the reply arrived. */
async function command(stack: Stack, worker: StreamWorker, entity: string, bytes: number): Promise<{ revision: number; sentPerf: number; replyPerf: number }> {
  const s = statehouseTarget(worker as never).shot(entity, bytes);
  const sentPerf = performance.now();
  const a = await request(stack.url, s.host, s.path, s.body, s.headers);
  const replyPerf = performance.now();
  if (a.status !== 200) throw new Error(`command to ${entity} answered ${a.status}: ${a.body.toString().slice(0, 200)}`);
  return { revision: readVarintField(readField(a.body, 2) ?? new Uint8Array(), 2) ?? 0, sentPerf, replyPerf };
}

const counters = (stack: Stack, worker: StreamWorker) => shCounters(stack, hostOf(worker));
const settled = (stack: Stack, worker: StreamWorker) => settledCounters(stack, hostOf(worker));

/** S1 at one subscriber count. */
export interface S1Row {
  /** Subscribers asked for, and those that opened and received the warm-up event. */
  subscribers: number;
  live: number;
  openFailures: number;
  firstOpenError?: string;
  /** Time for one stream to open (first bytes), p50 / max, with `openConcurrency` opening at once. */
  openP50Ms: number;
  openMaxMs: number;
  /** Per open: Durable Object requests (upgrades to the entity and the subscription object, entity RPCs). */
  doRequestsPerOpen: number;
  rate: number;
  seconds: number;
  commands: number;
  /** Deliveries expected (live × commands), received, and missing / duplicate / out of order. */
  deliveries: number;
  received: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
  /**
   * Receipt − the command's reply at the client, signed (negative: the subscriber had the event
   * first). The object broadcasts in the turn after the commit's reply (until 2026-12-07 it did in
   * the commit's own turn, and every event arrived before the reply). The share before the reply is given.
   */
  receiptP50Ms: number;
  receiptP99Ms: number;
  beforeReplyShare: number;
  /** Receipt − the command's send time (the whole path, never negative). */
  sendToReceiptP50Ms: number;
  sendToReceiptP99Ms: number;
  /** Command round trip (send → reply) during the step. */
  commandP50Ms: number;
  /** workerd CPU (every Worker and object) per command during the steady window, and the client's. */
  workerdCpuMsPerCommand: number;
  clientCpuMsPerCommand: number;
  /** With the streams open and no commands: workerd CPU per second over `idleSeconds`, and DO requests / constructions in that window. */
  idleSeconds: number;
  idleWorkerdCpuMsPerS: number;
  idleDoRequests: number;
  idleConstructed: number;
  /** Whether a stream ended or failed during the step. */
  streamsEnded: number;
}

/** S1's answer: a row per subscriber count, and what the rows give per delivery and per idle subscriber-hour. */
export interface S1Result {
  rows: S1Row[];
  /**
   * (workerd CPU per command with N subscribers − with none) / N, for N ≥ 100 only: /proc counts
   * CPU in 10 ms ticks, so with fewer subscribers the difference is below the resolution.
   */
  cpuMsPerDelivery: Record<string, number>;
  /** (idle workerd CPU with N streams − with none) per stream-hour, for N ≥ 100 only (as above). */
  idleCpuMsPerSubscriberHour: Record<string, number>;
  note?: string;
}

/**
 * S1: one entity, N subscribers (SSE readers on the Node client, each its own connection), commands
 * at `s1Rate`/s for `s1Seconds` one at a time. For N = 0 the same commands give the baseline CPU.
 * A step opens its streams (`s1OpenConcurrency` at once, each bounded), sends a warm-up command
 * and waits until every stream has it (a stream that never gets it is not live and not counted),
 * measures the idle window, runs the commands, waits (bounded) for the last deliveries, closes.
 * If a step cannot open every stream, the rows say how many did; nothing is extrapolated.
 */
export async function s1(stack: Stack, plan: Plan): Promise<S1Result> {
  const rows: S1Row[] = [];
  const worker: StreamWorker = "sub";
  const host = hostOf(worker);
  for (const n of plan.s1Subscribers) {
    const entity = uniqueId(`s1-${n}`);
    await command(stack, worker, entity, plan.smallBytes);
    // Open the streams, bounded in concurrency and time.
    const readers: SseReader[] = [];
    const openMs: number[] = [];
    let openFailures = 0;
    let firstOpenError: string | undefined;
    const beforeOpen = await counters(stack, worker);
    let next = 0;
    const openDeadline = Date.now() + plan.s1OpenLimitS * 1000;
    await Promise.all(
      Array.from({ length: Math.min(plan.s1OpenConcurrency, n) }, async () => {
        while (next < n && Date.now() < openDeadline) {
          next++;
          const t0 = performance.now();
          const r = openSse(stack.url, host, entityStreamPath(entity, 0), false);
          try {
            await Promise.race([r.opened, sleep(30_000).then(() => Promise.reject(new Error("no answer in 30 s")))]);
            openMs.push(performance.now() - t0);
            readers.push(r);
          } catch (cause) {
            openFailures++;
            firstOpenError ??= String(cause);
            r.close();
          }
        }
      }),
    );
    // Warm-up: every stream that is live gets this revision.
    const warm = await command(stack, worker, entity, plan.smallBytes);
    const warmDeadline = Date.now() + 30_000;
    while (Date.now() < warmDeadline && !readers.every((r) => r.receipts.some((x) => x.id === warm.revision))) await sleep(50);
    const live = readers.filter((r) => r.receipts.some((x) => x.id === warm.revision));
    const afterOpen = await counters(stack, worker);
    const opens = readers.length + openFailures;
    const doRequestsPerOpen =
      opens === 0
        ? 0
        : (afterOpen.streams.entityUpgrades - beforeOpen.streams.entityUpgrades + (afterOpen.streams.entityReads - beforeOpen.streams.entityReads) + (afterOpen.streams.subscriptionUpgrades - beforeOpen.streams.subscriptionUpgrades)) / opens;

    // Idle window: streams open, no commands.
    await sleep(500);
    const idle0 = await counters(stack, worker);
    const idleCpu0 = cpuSeconds(stack.workerdPid);
    await sleep(plan.s1IdleSeconds * 1000);
    const idleCpu1 = cpuSeconds(stack.workerdPid);
    const idle1 = await counters(stack, worker);
    const idleDoRequests =
      idle1.processCommand - idle0.processCommand + (idle1.alarms - idle0.alarms) + (idle1.streams.entityUpgrades - idle0.streams.entityUpgrades) + (idle1.streams.entityReads - idle0.streams.entityReads) + (idle1.streams.subscriptionUpgrades - idle0.streams.subscriptionUpgrades);

    // Steady commands, one at a time at the rate (open loop: a late reply delays only itself).
    for (const r of live) r.receipts.length = 0;
    const total = Math.round(plan.s1Rate * plan.s1Seconds);
    const sent = new Map<number, { sentPerf: number; replyPerf: number }>();
    const cmdMs: number[] = [];
    const cpu0 = cpuSeconds(stack.workerdPid);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    const pending: Promise<void>[] = [];
    let commandErrors = 0;
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / plan.s1Rate - performance.now();
      if (wait > 1) await sleep(wait);
      pending.push(
        command(stack, worker, entity, plan.smallBytes).then(
          (c) => {
            sent.set(c.revision, c);
            cmdMs.push(c.replyPerf - c.sentPerf);
          },
          () => {
            commandErrors++;
          },
        ),
      );
    }
    await Promise.all(pending);
    const last = Math.max(0, ...sent.keys());
    const drainDeadline = Date.now() + 15_000;
    while (Date.now() < drainDeadline && !live.every((r) => r.receipts.some((x) => x.id === last))) await sleep(50);
    const cpuMs = (cpuSeconds(stack.workerdPid) - cpu0) * 1000;
    const client = process.cpuUsage(client0);
    const seconds = (performance.now() - t0) / 1000;

    const lat: number[] = [];
    const full: number[] = [];
    let before = 0;
    let received = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let missing = 0;
    for (const r of live) {
      const seen = new Set<number>();
      let prev = warm.revision;
      for (const x of r.receipts) {
        if (x.event !== "event") continue;
        const c = sent.get(x.id);
        if (c === undefined) continue;
        if (seen.has(x.id)) {
          duplicates++;
          continue;
        }
        seen.add(x.id);
        received++;
        if (x.id !== prev + 1) outOfOrder++;
        prev = Math.max(prev, x.id);
        const d = x.atPerf - c.replyPerf;
        if (d < 0) before++;
        lat.push(d);
        full.push(x.atPerf - c.sentPerf);
      }
      for (const rev of sent.keys()) if (!seen.has(rev)) missing++;
    }
    const streamsEnded = readers.filter((r) => r.ended !== undefined).length;
    for (const r of readers) r.close();
    const row: S1Row = {
      subscribers: n,
      live: live.length,
      openFailures,
      firstOpenError,
      openP50Ms: percentile(openMs, 50),
      openMaxMs: openMs.length ? Math.max(...openMs) : NaN,
      doRequestsPerOpen,
      rate: plan.s1Rate,
      seconds,
      commands: sent.size,
      deliveries: live.length * sent.size,
      received,
      missing,
      duplicates,
      outOfOrder,
      receiptP50Ms: percentile(lat, 50),
      receiptP99Ms: percentile(lat, 99),
      beforeReplyShare: lat.length ? before / lat.length : NaN,
      sendToReceiptP50Ms: percentile(full, 50),
      sendToReceiptP99Ms: percentile(full, 99),
      commandP50Ms: percentile(cmdMs, 50),
      workerdCpuMsPerCommand: cpuMs / Math.max(1, sent.size),
      clientCpuMsPerCommand: (client.user + client.system) / 1000 / Math.max(1, sent.size),
      idleSeconds: plan.s1IdleSeconds,
      idleWorkerdCpuMsPerS: ((idleCpu1 - idleCpu0) * 1000) / plan.s1IdleSeconds,
      idleDoRequests,
      idleConstructed: idle1.constructed - idle0.constructed,
      streamsEnded,
    };
    if (commandErrors > 0) console.warn(`  ! S1 ${n}: ${commandErrors} commands failed`);
    console.log(
      `  S1 ${n} subscribers (${row.live} live, ${openFailures} failed to open${firstOpenError ? `: ${firstOpenError}` : ""}; open p50 ${row.openP50Ms.toFixed(1)} ms, ${row.doRequestsPerOpen.toFixed(2)} DO req/open): ${row.commands} commands at ${plan.s1Rate}/s, receipt−reply p50 ${row.receiptP50Ms.toFixed(2)} p99 ${row.receiptP99Ms.toFixed(2)} ms (${(row.beforeReplyShare * 100).toFixed(0)}% before the reply), send→receipt p50 ${row.sendToReceiptP50Ms.toFixed(2)} p99 ${row.sendToReceiptP99Ms.toFixed(2)} ms; missing ${missing}, dup ${duplicates}, out of order ${outOfOrder}; workerd CPU ${row.workerdCpuMsPerCommand.toFixed(2)} ms/cmd; idle ${row.idleWorkerdCpuMsPerS.toFixed(2)} CPU ms/s, ${idleDoRequests} DO requests`,
    );
    rows.push(row);
    // Let the closes reach the objects before the next step.
    await sleep(Math.min(3000, 200 + readers.length * 2));
  }
  const base = rows.find((r) => r.subscribers === 0);
  const cpuMsPerDelivery: Record<string, number> = {};
  const idleCpuMsPerSubscriberHour: Record<string, number> = {};
  for (const r of rows) {
    if (r.subscribers === 0 || base === undefined || r.live < 100) continue;
    cpuMsPerDelivery[String(r.live)] = (r.workerdCpuMsPerCommand - base.workerdCpuMsPerCommand) / r.live;
    idleCpuMsPerSubscriberHour[String(r.live)] = ((r.idleWorkerdCpuMsPerS - base.idleWorkerdCpuMsPerS) * 3600) / r.live;
  }
  return { rows, cpuMsPerDelivery, idleCpuMsPerSubscriberHour };
}

/** S2: the global log's live stream while commands commit at a rate over many entities. */
export interface S2Row {
  rate: number;
  entities: number;
  subscribers: number;
  seconds: number;
  commits: number;
  committedRate: number;
  commandErrors: number;
  firstCommandError?: string;
  received: number;
  missing: number;
  duplicates: number;
  outOfOrder: number;
  /** Receipt − appended_at (the partition's clock at its commit): append → receipt. */
  appendP50Ms: number;
  appendP99Ms: number;
  /** Receipt − the command's reply at the client (clamped at 0, as W4): commit → receipt. */
  commitP50Ms: number;
  commitP99Ms: number;
  drainS: number;
  /** Consumer batches, LogHub publishes (DO requests) and the central store (partition stores + D1) of the step, per event. */
  batches: number;
  eventsPerEntityPerBatch: number;
  logPublishesPerEvent: number;
  central: CentralStore;
  workerdCpuMsPerCommand: number;
}

/** Sends one command to each entity and waits until the consumer is idle, so the measured window pays no first-event costs. */
async function warmEntities(stack: Stack, worker: StreamWorker, prefix: string, entities: number, bytes: number): Promise<void> {
  for (let i = 0; i < entities; i += 20) {
    await Promise.all(Array.from({ length: Math.min(20, entities - i) }, (_, j) => command(stack, worker, `${prefix}-${i + j}`, bytes)));
  }
  await settled(stack, worker);
}

/**
 * S2: `s2Subscribers` readers of GET /api/v1/log/stream (from now on), then `s2Rate` commands/s
 * for `s2Seconds` over `s2Entities` warmed entities. Every committed event must reach every reader
 * once, in offset order; lag is measured from the append (appended_at) and from the command's reply.
 */
export async function s2(stack: Stack, plan: Plan): Promise<S2Row[]> {
  const worker: StreamWorker = "log";
  const host = hostOf(worker);
  const out: S2Row[] = [];
  for (const rate of plan.s2Rates) {
    const prefix = uniqueId(`s2-${rate}`);
    await warmEntities(stack, worker, prefix, plan.s2Entities, plan.smallBytes);
    const readers = Array.from({ length: plan.s2Subscribers }, () => openSse(stack.url, host, logStreamPath(0), true));
    await Promise.all(readers.map((r) => r.opened));
    await sleep(300);
    const before = await counters(stack, worker);
    const cpu0 = cpuSeconds(stack.workerdPid);
    const t0 = Date.now();
    const { commits, errors, firstError } = await openLoop(stack, statehouseTarget(worker as never), prefix, rate, Math.round(rate * plan.s2Seconds), plan.s2Seconds * 1000 + 5000, plan.smallBytes, plan.s2Entities);
    const seconds = (Date.now() - t0) / 1000;
    const drain0 = Date.now();
    const want = (r: SseReader) => {
      const have = new Set(r.receipts.map((x) => entityRevOf(x)));
      for (const k of commits.keys()) if (!have.has(k)) return false;
      return true;
    };
    while (Date.now() - drain0 < 30_000 && !readers.every(want)) await sleep(100);
    const drainS = (Date.now() - drain0) / 1000;
    const cpuMs = (cpuSeconds(stack.workerdPid) - cpu0) * 1000;
    const after = await settled(stack, worker);
    const appendLag: number[] = [];
    const commitLag: number[] = [];
    let received = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let missing = 0;
    for (const r of readers) {
      const seen = new Set<string>();
      let lastOffset = 0;
      for (const x of r.receipts) {
        if (x.event !== "event" || x.data === undefined) continue;
        const k = entityRevOf(x);
        if (!commits.has(k)) continue;
        if (seen.has(k)) {
          duplicates++;
          continue;
        }
        seen.add(k);
        received++;
        if (x.id <= lastOffset) outOfOrder++;
        lastOffset = Math.max(lastOffset, x.id);
        const d = JSON.parse(x.data) as { appended_at: string };
        appendLag.push(x.atMs - Date.parse(d.appended_at));
        commitLag.push(Math.max(0, x.atMs - (commits.get(k) as number)));
      }
      for (const k of commits.keys()) if (!seen.has(k)) missing++;
    }
    for (const r of readers) r.close();
    const batches = after.queue.batches - before.queue.batches;
    const groups = after.queue.groups - before.queue.groups;
    const row: S2Row = {
      rate,
      entities: plan.s2Entities,
      subscribers: plan.s2Subscribers,
      seconds,
      commits: commits.size,
      committedRate: commits.size / seconds,
      commandErrors: errors,
      firstCommandError: firstError,
      received,
      missing,
      duplicates,
      outOfOrder,
      appendP50Ms: percentile(appendLag, 50),
      appendP99Ms: percentile(appendLag, 99),
      commitP50Ms: percentile(commitLag, 50),
      commitP99Ms: percentile(commitLag, 99),
      drainS,
      batches,
      eventsPerEntityPerBatch: (after.queue.events - before.queue.events) / Math.max(1, groups),
      logPublishesPerEvent: (after.streams.logPublishes - before.streams.logPublishes) / Math.max(1, commits.size),
      central: centralStore(before, after, commits.size),
      workerdCpuMsPerCommand: cpuMs / Math.max(1, commits.size),
    };
    console.log(
      `  S2 ${rate}/s over ${plan.s2Entities} entities, ${plan.s2Subscribers} log reader(s): ${row.commits} commits at ${row.committedRate.toFixed(0)}/s (${errors} errors${firstError ? `, first: ${firstError}` : ""}); append→receipt p50 ${row.appendP50Ms} p99 ${row.appendP99Ms} ms, commit→receipt p50 ${row.commitP50Ms} p99 ${row.commitP99Ms} ms; missing ${missing}, dup ${duplicates}, out of order ${outOfOrder}; drain ${drainS.toFixed(1)} s; ${batches} batches, ${row.eventsPerEntityPerBatch.toFixed(2)} events/entity/batch; central-store rows written/event ${row.central.rowsWrittenPerEvent.toFixed(2)} (log segments ${row.central.split.logSegments.toFixed(3)}, entity rows ${row.central.split.entityRows.toFixed(2)}, D1 ${row.central.split.d1.toFixed(3)})`,
    );
    out.push(row);
  }
  return out;
}

function entityRevOf(x: SseReceipt): string {
  if (x.data === undefined) return "";
  // The JSON's first fields are offset, entity_id, revision: read them without parsing every payload twice.
  const m = /"entity_id":"((?:[^"\\]|\\.)*)","revision":(\d+)/.exec(x.data);
  return m === null ? "" : `${JSON.parse(`"${m[1]}"`) as string}#${m[2]}`;
}

/** One S3 step: the log's central-store rows per event at a rate over a number of (warmed) entities, no readers. */
export interface S3Row {
  rate: number;
  entities: number;
  seconds: number;
  commits: number;
  batches: number;
  eventsPerEntityPerBatch: number;
  central: CentralStore;
  target: number;
  /** Whether the log's own rows (its segments) meet the target, and whether everything the log writes (entity rows and D1 included) does. */
  logRowsMet: boolean;
  allRowsMet: boolean;
}

/**
 * S3: the central store's rows written per event for the log (no user read side: `$log` is the
 * consumer's only one), from every statement's rowsWritten in the partition store and D1's
 * meta.rows_written, split by what writes them (entity rows, log segments, failing/parked, D1),
 * at each (rate, entities) of `s3Steps`. Entities are warmed first, so a first event's index row
 * is not in the window.
 */
export async function s3(stack: Stack, plan: Plan): Promise<S3Row[]> {
  const worker: StreamWorker = "log";
  const out: S3Row[] = [];
  for (const [rate, entities] of plan.s3Steps) {
    const prefix = uniqueId(`s3-${rate}-${entities}`);
    await warmEntities(stack, worker, prefix, entities, plan.smallBytes);
    const before = await counters(stack, worker);
    const t0 = Date.now();
    const { commits } = await openLoop(stack, statehouseTarget(worker as never), prefix, rate, Math.round(rate * plan.s3Seconds), plan.s3Seconds * 1000 + 5000, plan.smallBytes, entities);
    const seconds = (Date.now() - t0) / 1000;
    const after = await settled(stack, worker);
    const central = centralStore(before, after, commits.size);
    const groups = after.queue.groups - before.queue.groups;
    const row: S3Row = {
      rate,
      entities,
      seconds,
      commits: commits.size,
      batches: after.queue.batches - before.queue.batches,
      eventsPerEntityPerBatch: (after.queue.events - before.queue.events) / Math.max(1, groups),
      central,
      target: LOG_ROWS_PER_EVENT_TARGET,
      logRowsMet: central.split.logSegments <= LOG_ROWS_PER_EVENT_TARGET + 0.005,
      allRowsMet: central.rowsWrittenPerEvent <= LOG_ROWS_PER_EVENT_TARGET + 0.005,
    };
    console.log(
      `  S3 ${rate}/s over ${entities} entities: ${row.commits} commits; ${row.eventsPerEntityPerBatch.toFixed(2)} events/entity/batch; central-store rows written/event ${central.rowsWrittenPerEvent.toFixed(3)} = entity rows ${central.split.entityRows.toFixed(3)} + new entities ${central.split.newEntityRows.toFixed(3)} + log segments ${central.split.logSegments.toFixed(3)} + failing/parked ${central.split.failingParked.toFixed(3)} + other ${central.split.otherPartition.toFixed(3)} + D1 ${central.split.d1.toFixed(3)}; rows read/event ${central.rowsReadPerEvent.toFixed(2)}, requests/event ${central.requestsPerEvent.toFixed(3)}, partition SQL statements/event ${central.partitionStatementsPerEvent.toFixed(2)}`,
    );
    out.push(row);
  }
  return out;
}
