// The archive step (--only=archive): a large global log in one Worker with the LOG_ARCHIVE R2 bucket and a small hot window, read whole and filtered through both tiers, with R2's operations counted.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ReadLogRequestSchema, ReadLogResponseSchema } from "../../src/gen/statehouse/v1/log_pb.js";
import { getJson, request } from "./client.js";
import { type ArchiveCost, archiveCost } from "./cost.js";
import { sleep } from "./measure.js";
import { ARCHIVE_WORKER, hostOf, type Stack } from "./stack.js";
import { readThreads } from "./threads.js";
import { uniqueId } from "./workloads.js";

/** What the step builds and reads. */
export interface ArchivePlan {
  /** Events the log gets (a multiple of entities × perEntity). */
  events: number;
  entities: number;
  /** Events per entity per batch: a batch (one segment) holds entities × perEntity events. */
  perEntity: number;
  /** STATEHOUSE_LOG_HOT_ENTRIES and STATEHOUSE_LOG_HOT_MAX_ENTRIES of the step's Worker. */
  hotEntries: number;
  hotMaxEntries: number;
  /** The build stops here (what was built is measured, and the report says so). */
  buildLimitS: number;
  /** Archiving after the build must be done within this. */
  drainLimitS: number;
  /** Each whole-log read stops here. */
  readLimitS: number;
  /** Offsets a filtered read covers in each tier, and how many times each runs (alternating tiers). */
  filterRange: number;
  filterRounds: number;
  filterType: string;
}

/** The protobuf message the step asks the Connect LogService for. */
const READ_PATH = "/statehouse.v1.LogService/Read";
const CONNECT = { "content-type": "application/proto", "connect-protocol-version": "1" };
/** The largest page GET /api/v1/log and LogService.Read allow (src/eventlog/log-reader.ts LOG_PAGE_MAX). */
export const PAGE_MAX = 1000;
/** An archive object holds at most this many entries (src/partition/partition-object.ts), and at most half the hot window. */
const OBJECT_ENTRIES_MAX = 10_000;

type Tiers = { hot: number; head: number; first: number; hotFirst: number };
type R2Counts = { classA: number; classB: number; byMethod: Record<string, number>; deletedKeys: number; bytesPut: number; bytesGot: number; storedObjects: number; storedBytes: number };
type Counters = { r2: R2Counts; partition: { requests: Record<string, number>; sql: { statements: number; rowsRead: number; rowsWritten: number } } };

/** A whole-log read through one API. */
export interface ArchiveReadRow {
  api: "GET /api/v1/log" | "LogService.Read (Connect)";
  pages: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** The same split by where the page started: in the archive (offset < the hot store's first) or hot. */
  archive: { events: number; seconds: number; eventsPerSecond: number };
  hot: { events: number; seconds: number; eventsPerSecond: number };
  /** Page latency (ms) percentiles. */
  pageP50Ms: number;
  pageP99Ms: number;
  /** Every offset from 1 to the head came once, in order, with the type the build gave it. */
  complete: boolean;
  problems: string[];
  /** Whether the read stopped at its time limit. */
  timedOut: boolean;
  workerdCpuS: number;
  clientCpuS: number;
  responseBytes: number;
  r2Gets: number;
}

/** A type-filtered read over one tier's range. */
export interface ArchiveFilterRow {
  api: ArchiveReadRow["api"];
  tier: "archive" | "hot";
  from: number;
  to: number;
  type: string;
  rounds: number;
  /** Matching entries per round (all rounds read the same range). */
  matches: number;
  pagesPerRound: number;
  /** Median over the rounds. */
  seconds: number;
  matchesPerSecond: number;
  /** Offsets examined per second (the range ÷ the time). */
  offsetsPerSecond: number;
  secondsEachRound: number[];
  r2GetsPerRound: number;
}

/** The step's results. */
export interface ArchiveResult {
  plan: ArchivePlan;
  /** What was built: events, wall time, and where the time went (the builder's loads, commits, logTiers calls, sleeps at the cap). */
  build: { events: number; batches: number; seconds: number; eventsPerSecond: number; loadS: number; commitS: number; tiersS: number; capWaitS: number; waits: number; timedOut: boolean; head: number };
  /** After the build: until the hot store stopped changing (archiving done). */
  drain: { seconds: number; timedOut: boolean };
  /** The log's tiers once archiving was done (logTiers), the object size policy, and the bucket's objects as Miniflare lists them (not through the counted binding). */
  tiers: Tiers & { archived: number; hotEntriesSetting: number; hotMaxEntriesSetting: number; objectEntries: number; withinWindow: boolean };
  bucket: { objects: number; bytes: number; bytesPerEvent: number };
  /** The most hot entries seen: by the builder before each batch, and by the runner's polls after it. */
  hotPeak: number;
  r2Build: R2Counts;
  r2Reads: R2Counts;
  /** The partition store's RPCs (by method) and SQL during build + archiving. */
  partitionBuild: { requests: Record<string, number>; sqlStatements: number; rowsWritten: number; rowsRead: number };
  reads: ArchiveReadRow[];
  filtered: ArchiveFilterRow[];
  cost: ArchiveCost;
}

/** Runs the step against the stack's `sh-arc` Worker. */
export async function archiveStep(stack: Stack, plan: ArchivePlan): Promise<ArchiveResult> {
  const host = hostOf(ARCHIVE_WORKER);
  const counters = () => getJson<Counters>(stack.url, host, "/__bench/counters");
  const tiers = () => getJson<Tiers>(stack.url, host, "/__bench/log-tiers");
  const perBatch = plan.entities * plan.perEntity;
  const batchesWanted = Math.floor(plan.events / perBatch);
  const objectEntries = Math.min(OBJECT_ENTRIES_MAX, Math.max(1, Math.floor(plan.hotEntries / 2)));
  const run = uniqueId("arc");

  // Build.
  await getJson(stack.url, host, `/__bench/archive-build?phase=warm&entities=${plan.entities}&run=${run}`);
  const c0 = await counters();
  const build = { events: 0, batches: 0, seconds: 0, eventsPerSecond: 0, loadS: 0, commitS: 0, tiersS: 0, capWaitS: 0, waits: 0, timedOut: false, head: 0 };
  let hotPeak = 0;
  const t0 = Date.now();
  console.log(`  archive: building ${(batchesWanted * perBatch).toLocaleString("en-US")} events (${batchesWanted} batches of ${plan.entities} entities × ${plan.perEntity}), hot window ${plan.hotEntries.toLocaleString("en-US")}, cap ${plan.hotMaxEntries.toLocaleString("en-US")}`);
  let lastPrint = 0;
  for (let calls = 0; build.batches < batchesWanted && calls < batchesWanted + 100; calls++) {
    if ((Date.now() - t0) / 1000 > plan.buildLimitS) {
      build.timedOut = true;
      break;
    }
    const r = await getJson<{ batches: number; events: number; loadS: number; commitS: number; tiersS: number; capWaitS: number; waits: number; hotPeak: number; head: number }>(
      stack.url,
      host,
      `/__bench/archive-build?batches=${batchesWanted - build.batches}&entities=${plan.entities}&per=${plan.perEntity}&first=${build.batches + 1}&run=${run}&budget=20000`,
    );
    build.batches += r.batches;
    build.events += r.events;
    build.loadS += r.loadS;
    build.commitS += r.commitS;
    build.tiersS += r.tiersS;
    build.capWaitS += r.capWaitS;
    build.waits += r.waits;
    build.head = r.head || build.head;
    hotPeak = Math.max(hotPeak, r.hotPeak);
    if (Date.now() - lastPrint > 10_000) {
      lastPrint = Date.now();
      console.log(`  archive: ${build.events.toLocaleString("en-US")} events in ${((Date.now() - t0) / 1000).toFixed(0)} s (hot ${hotPeak.toLocaleString("en-US")} at most so far)`);
    }
  }
  build.seconds = (Date.now() - t0) / 1000;
  build.eventsPerSecond = build.events / build.seconds;

  // Archiving after the build: until the hot store holds no more than the window allows and stays put.
  const d0 = Date.now();
  let t = await tiers();
  let stable = 0;
  let drainTimedOut = false;
  for (let last = t.hot; ; last = t.hot) {
    if ((Date.now() - d0) / 1000 > plan.drainLimitS) {
      drainTimedOut = true;
      break;
    }
    await sleep(500);
    t = await tiers();
    hotPeak = Math.max(hotPeak, t.hot);
    stable = t.hot === last ? stable + 1 : 0;
    if (stable >= 6 && t.hot < plan.hotEntries + objectEntries + perBatch) break;
  }
  const drainS = (Date.now() - d0) / 1000;
  const c1 = await counters();
  const bucket = await listBucket(stack);
  console.log(`  archive: built ${build.events.toLocaleString("en-US")} events in ${build.seconds.toFixed(1)} s (${Math.round(build.eventsPerSecond)} events/s; ${build.waits} waits at the cap, ${build.capWaitS.toFixed(1)} s); archiving done ${drainS.toFixed(1)} s later: hot ${t.hot.toLocaleString("en-US")} (window ${plan.hotEntries.toLocaleString("en-US")}), archived ${(t.hotFirst - t.first).toLocaleString("en-US")} in ${bucket.objects} objects of ${bucket.bytes.toLocaleString("en-US")} B`);

  // Whole-log reads, then filtered reads over each tier.
  const reads: ArchiveReadRow[] = [];
  for (const api of ["GET /api/v1/log", "LogService.Read (Connect)"] as const) {
    const r0 = await counters();
    const row = await readWhole(stack, api, t, plan);
    row.r2Gets = (await counters()).r2.classB - r0.r2.classB;
    console.log(`  archive: ${api} read ${row.events.toLocaleString("en-US")} events in ${row.seconds.toFixed(1)} s: ${Math.round(row.eventsPerSecond)} events/s (archive ${Math.round(row.archive.eventsPerSecond)}, hot ${Math.round(row.hot.eventsPerSecond)}), ${row.r2Gets} R2 gets${row.complete ? "; every offset once, in order" : `; PROBLEMS: ${row.problems.join("; ")}`}`);
    reads.push(row);
  }
  const filtered: ArchiveFilterRow[] = [];
  const range = Math.min(plan.filterRange, t.hot, t.hotFirst - t.first);
  const ranges = { archive: { from: t.first, to: t.first + range - 1 }, hot: { from: t.hotFirst, to: t.hotFirst + range - 1 } } as const;
  for (const api of ["GET /api/v1/log", "LogService.Read (Connect)"] as const) {
    const rounds: Record<"archive" | "hot", { s: number; matches: number; pages: number; gets: number }[]> = { archive: [], hot: [] };
    for (let i = 0; i < plan.filterRounds; i++) {
      // Alternate which tier goes first, so drift on the shared machine falls on both.
      for (const tier of i % 2 === 0 ? (["hot", "archive"] as const) : (["archive", "hot"] as const)) {
        const r0 = await counters();
        const one = await readFiltered(stack, api, ranges[tier].from, ranges[tier].to, plan.filterType);
        rounds[tier].push({ ...one, gets: (await counters()).r2.classB - r0.r2.classB });
      }
    }
    for (const tier of ["archive", "hot"] as const) {
      const rs = rounds[tier];
      const secs = rs.map((x) => x.s);
      const median = [...secs].sort((a, b) => a - b)[Math.floor(secs.length / 2)] as number;
      const matches = rs[0]?.matches ?? 0;
      const row: ArchiveFilterRow = {
        api,
        tier,
        ...ranges[tier],
        type: plan.filterType,
        rounds: rs.length,
        matches,
        pagesPerRound: rs[0]?.pages ?? 0,
        seconds: median,
        matchesPerSecond: matches / median,
        offsetsPerSecond: range / median,
        secondsEachRound: secs,
        r2GetsPerRound: rs.reduce((a, x) => a + x.gets, 0) / Math.max(1, rs.length),
      };
      if (rs.some((x) => x.matches !== matches)) throw new Error(`archive: filtered ${tier} reads found different counts: ${rs.map((x) => x.matches).join(", ")}`);
      console.log(`  archive: ${api}, type ${plan.filterType}, ${tier} offsets ${row.from.toLocaleString("en-US")}–${row.to.toLocaleString("en-US")}: ${matches} matches in ${median.toFixed(3)} s (median of ${rs.length}): ${Math.round(row.matchesPerSecond)} matching events/s, ${Math.round(row.offsetsPerSecond)} offsets/s, ${row.r2GetsPerRound} R2 gets per round`);
      filtered.push(row);
    }
  }
  const c2 = await counters();

  const r2Build = diffR2(c0.r2, c1.r2);
  const r2Reads = diffR2(c1.r2, c2.r2);
  const wholeReads = reads.filter((x) => !x.timedOut);
  const getsPerRead = wholeReads.length === 0 ? 0 : wholeReads.reduce((a, x) => a + x.r2Gets, 0) / wholeReads.length;
  // Per million events archived: the events the archive holds, which its puts wrote.
  const cost = archiveCost({ events: t.hotFirst - t.first, classA: r2Build.classA, classBPerRead: getsPerRead, storedBytes: bucket.bytes });
  const partitionBuild = {
    requests: Object.fromEntries(Object.entries(c1.partition.requests).map(([k, v]) => [k, v - (c0.partition.requests[k] ?? 0)]).filter(([, v]) => (v as number) > 0)),
    sqlStatements: c1.partition.sql.statements - c0.partition.sql.statements,
    rowsWritten: c1.partition.sql.rowsWritten - c0.partition.sql.rowsWritten,
    rowsRead: c1.partition.sql.rowsRead - c0.partition.sql.rowsRead,
  };
  return {
    plan,
    build,
    drain: { seconds: drainS, timedOut: drainTimedOut },
    tiers: { ...t, archived: t.hotFirst - t.first, hotEntriesSetting: plan.hotEntries, hotMaxEntriesSetting: plan.hotMaxEntries, objectEntries, withinWindow: t.hot <= plan.hotEntries },
    bucket: { ...bucket, bytesPerEvent: bucket.bytes / Math.max(1, t.hotFirst - t.first) },
    hotPeak,
    r2Build,
    r2Reads,
    partitionBuild,
    reads,
    filtered,
    cost,
  };
}

function diffR2(a: R2Counts, b: R2Counts): R2Counts {
  const byMethod: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a.byMethod), ...Object.keys(b.byMethod)])) byMethod[k] = (b.byMethod[k] ?? 0) - (a.byMethod[k] ?? 0);
  return {
    classA: b.classA - a.classA,
    classB: b.classB - a.classB,
    byMethod,
    deletedKeys: b.deletedKeys - a.deletedKeys,
    bytesPut: b.bytesPut - a.bytesPut,
    bytesGot: b.bytesGot - a.bytesGot,
    storedObjects: b.storedObjects,
    storedBytes: b.storedBytes,
  };
}

/** The bucket's objects and bytes, listed by Miniflare from Node: not through the Worker's binding, so not counted. */
async function listBucket(stack: Stack): Promise<{ objects: number; bytes: number }> {
  type Listing = { objects: { size: number }[]; truncated: boolean; cursor?: string };
  // Miniflare's typings of the proxied bucket do not resolve `list` under the bench's lib settings.
  const bucket = (await stack.mf.getR2Bucket("LOG_ARCHIVE", `sh-${ARCHIVE_WORKER}`)) as unknown as { list(o: { limit: number; cursor?: string }): Promise<Listing> };
  let objects = 0;
  let bytes = 0;
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await bucket.list({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const o of page.objects) {
      objects++;
      bytes += o.size;
    }
    if (!page.truncated) break;
    cursor = page.cursor;
  }
  return { objects, bytes };
}

/** One page through either API, decoded the way a client would (JSON.parse, or the generated protobuf schema). */
async function readPage(stack: Stack, api: ArchiveReadRow["api"], from: number, limit: number, type?: string): Promise<{ offsets: number[]; types: string[]; next: number; bytes: number }> {
  const host = hostOf(ARCHIVE_WORKER);
  if (api === "GET /api/v1/log") {
    const a = await request(stack.url, host, `/api/v1/log?from=${from}&limit=${limit}${type === undefined ? "" : `&type=${encodeURIComponent(type)}`}`);
    if (a.status !== 200) throw new Error(`archive: GET /api/v1/log?from=${from} answered ${a.status}: ${a.body.toString().slice(0, 300)}`);
    const page = JSON.parse(a.body.toString()) as { entries: { offset: number; event_type: string }[]; next_offset: number };
    return { offsets: page.entries.map((e) => e.offset), types: page.entries.map((e) => e.event_type), next: page.next_offset, bytes: a.body.byteLength };
  }
  const body = toBinary(ReadLogRequestSchema, create(ReadLogRequestSchema, { fromOffset: BigInt(from), limit, eventType: type ?? "" }));
  const a = await request(stack.url, host, READ_PATH, body, CONNECT);
  if (a.status !== 200) throw new Error(`archive: LogService.Read from ${from} answered ${a.status}: ${a.body.toString().slice(0, 300)}`);
  const page = fromBinary(ReadLogResponseSchema, a.body);
  return { offsets: page.entries.map((e) => Number(e.offset)), types: page.entries.map((e) => e.eventType), next: Number(page.nextOffset), bytes: a.body.byteLength };
}

function cpuOf(pid: number | undefined): number {
  let s = 0;
  for (const t of readThreads(pid).values()) s += t.cpuS;
  return s;
}

/** Reads offsets first … head page by page (PAGE_MAX), checking every offset comes once, in order, with the type the build gave it. */
async function readWhole(stack: Stack, api: ArchiveReadRow["api"], t: Tiers, plan: ArchivePlan): Promise<ArchiveReadRow> {
  const problems: string[] = [];
  const pageMs: number[] = [];
  const split = { archive: { events: 0, ms: 0 }, hot: { events: 0, ms: 0 } };
  let expected = t.first;
  let events = 0;
  let pages = 0;
  let bytes = 0;
  let timedOut = false;
  const cpu0 = cpuOf(stack.workerdPid);
  const client0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let from = t.first; from <= t.head && pages < Math.ceil((t.head - t.first + 1) / PAGE_MAX) * 2 + 10; ) {
    if (Number(process.hrtime.bigint() - t0) / 1e9 > plan.readLimitS) {
      timedOut = true;
      break;
    }
    const p0 = process.hrtime.bigint();
    const page = await readPage(stack, api, from, PAGE_MAX);
    const ms = Number(process.hrtime.bigint() - p0) / 1e6;
    pageMs.push(ms);
    pages++;
    bytes += page.bytes;
    const tier = from < t.hotFirst ? split.archive : split.hot;
    tier.events += page.offsets.length;
    tier.ms += ms;
    for (const [i, o] of page.offsets.entries()) {
      if (o !== expected && problems.length < 10) problems.push(`offset ${o} where ${expected} was due`);
      const want = `bench.v1.Type${(o - 1) % 10}`;
      if (page.types[i] !== want && problems.length < 10) problems.push(`offset ${o} has type ${page.types[i]}, built as ${want}`);
      expected = o + 1;
    }
    events += page.offsets.length;
    if (page.next <= from) {
      problems.push(`a page from ${from} answered next ${page.next}`);
      break;
    }
    from = page.next;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const client = process.cpuUsage(client0);
  if (!timedOut && expected !== t.head + 1) problems.push(`the read ended at ${expected - 1}, the head is ${t.head}`);
  const sorted = [...pageMs].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const rate = (x: { events: number; ms: number }) => ({ events: x.events, seconds: x.ms / 1000, eventsPerSecond: x.events / Math.max(1e-9, x.ms / 1000) });
  return {
    api,
    pages,
    events,
    seconds,
    eventsPerSecond: events / seconds,
    archive: rate(split.archive),
    hot: rate(split.hot),
    pageP50Ms: pct(0.5),
    pageP99Ms: pct(0.99),
    complete: problems.length === 0 && !timedOut,
    problems,
    timedOut,
    workerdCpuS: cpuOf(stack.workerdPid) - cpu0,
    clientCpuS: (client.user + client.system) / 1e6,
    responseBytes: bytes,
    r2Gets: 0,
  };
}

/** Reads offsets from … to with a type filter, page by page (bounded); the matches within the range. */
async function readFiltered(stack: Stack, api: ArchiveReadRow["api"], from: number, to: number, type: string): Promise<{ s: number; matches: number; pages: number }> {
  let matches = 0;
  let pages = 0;
  const t0 = process.hrtime.bigint();
  for (let at = from; at <= to && pages < (to - from + 1) / 100 + 10; pages++) {
    const page = await readPage(stack, api, at, PAGE_MAX, type);
    matches += page.offsets.filter((o) => o <= to).length;
    if (page.types.some((x) => x !== type)) throw new Error(`archive: a read filtered by ${type} answered ${page.types.find((x) => x !== type)}`);
    if (page.next <= at) throw new Error(`archive: a filtered page from ${at} answered next ${page.next}`);
    at = page.next;
  }
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, matches, pages };
}
