// A discrete-event simulation of Statehouse's pipeline after the commit, for one partition:
// commands → the entity's commit → the partition's queue → consumer batches (load, deliveries to
// R read sides, commit to the partition store) → read-side receipt. Plain JavaScript, no dependencies.
//
// Two machines are modelled:
//  - "local": Miniflare on the bench machine. Every Worker and Durable Object runs on workerd's one
//    JavaScript thread, so commands and the consumer's work share one CPU, served FIFO as an event
//    loop serves its tasks (bench/README.md: one workerd; the headroom's notes: "the one thread that
//    runs every Worker's and object's JavaScript"). Miniflare hands a queue one batch at a time.
//  - "cloud": Cloudflare. Each entity object, each consumer invocation and the partition store are
//    their own servers; the cost is latency (round trips) plus the store's single-threaded service
//    time; Queues run up to `concurrency` consumer invocations of a queue at once.

/** A binary min-heap of [time, seq, fn]. */
class Heap {
  constructor() {
    this.a = [];
    this.seq = 0;
  }
  push(t, fn) {
    const a = this.a;
    a.push([t, this.seq++, fn]);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p][0] < a[i][0] || (a[p][0] === a[i][0] && a[p][1] < a[i][1])) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && (a[l][0] < a[m][0] || (a[l][0] === a[m][0] && a[l][1] < a[m][1]))) m = l;
        if (r < a.length && (a[r][0] < a[m][0] || (a[r][0] === a[m][0] && a[r][1] < a[m][1]))) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  get size() {
    return this.a.length;
  }
}

/** A deterministic PRNG (mulberry32). */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponential sample of mean `mean`. */
function exp(rand, mean) {
  return -Math.log(1 - rand()) * mean;
}

/**
 * Picks entities: "roundrobin" (the bench's openLoop: command i goes to entity i % entities), or
 * Zipf(s) over `entities` ranks (s = 0: uniform), sampled by inverse CDF over the top `head` ranks
 * and uniformly over the tail (exact enough for shares; the tail's entities are near-uniform).
 */
export function entityPicker(kind, entities, s, rand, head = 100_000) {
  if (kind === "roundrobin") {
    let i = 0;
    return () => i++ % entities;
  }
  if (s === 0) return () => Math.floor(rand() * entities);
  const h = Math.min(head, entities);
  const w = new Float64Array(h);
  let total = 0;
  for (let k = 0; k < h; k++) total += w[k] = 1 / Math.pow(k + 1, s);
  // The tail (ranks h+1 … entities) by the integral of x^-s.
  const tail = entities > h ? (s === 1 ? Math.log(entities / h) : (Math.pow(entities, 1 - s) - Math.pow(h, 1 - s)) / (1 - s)) : 0;
  const cdf = new Float64Array(h);
  let acc = 0;
  for (let k = 0; k < h; k++) cdf[k] = (acc += w[k]) / (total + tail);
  return () => {
    const u = rand();
    if (u >= cdf[h - 1]) return h + Math.floor(rand() * (entities - h));
    let lo = 0;
    let hi = h - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Runs one step: `rate` commands/s for `seconds`, then drains. Returns the bench's W5 figures for
 * the step (committed rate, lag p50/p99, drain, batches) and, for "cloud", the platform counters.
 */
export function simulate(p) {
  const o = {
    machine: "local",
    rate: 100,
    seconds: 12,
    entities: 100,
    pick: "roundrobin",
    zipf: 0,
    readSides: 1,
    eventsPerCommand: 1,
    batchSize: 100,
    windowMs: 0,
    concurrency: 1,
    seed: 1,
    // local: CPU ms on workerd's JavaScript thread
    cpuCommandMs: 2.8,
    cpuBatchMs: 5,
    cpuEventMs: 0.5,
    cpuDeliveryMs: 1,
    connections: 6,
    inFlightCap: 512,
    clientLimitS: 5,
    // cloud: latencies (ms) and the partition store's service times
    commandMs: 15,
    queueDelayMs: 30,
    storeRttMs: 5,
    storeFixedMs: 0.5,
    storePerEntityMs: 0.03,
    storePerEntitySideMs: 0.005,
    webhookMs: 30,
    webhookJitter: 0.5,
    drainLimitS: 60,
    ...p,
  };
  const rand = rng(o.seed);
  const heap = new Heap();
  let now = 0;
  const at = (t, fn) => heap.push(t, fn);
  const sendEnd = o.seconds * 1000;
  const total = Math.round(o.rate * o.seconds);
  const pick = entityPicker(o.pick, o.entities, o.zipf, rand);

  // ---- the shared CPU (local): FIFO tasks, one at a time ----
  const cpuQueue = [];
  let cpuHead = 0;
  let cpuBusy = false;
  let cpuBusyMs = 0;
  const cpu = (cost, done) => {
    cpuQueue.push([cost, done]);
    if (!cpuBusy) cpuNext();
  };
  const cpuNext = () => {
    if (cpuHead >= cpuQueue.length) {
      cpuBusy = false;
      if (cpuHead > 4096) {
        cpuQueue.splice(0, cpuHead);
        cpuHead = 0;
      }
      return;
    }
    cpuBusy = true;
    const [cost, done] = cpuQueue[cpuHead++];
    cpuBusyMs += cost;
    at(now + cost, () => {
      done();
      cpuNext();
    });
  };

  // ---- the partition store (cloud): one request at a time ----
  const storeQueue = [];
  let storeBusy = false;
  let storeRequests = 0;
  let storeBusyMs = 0;
  const store = (cost, done) => {
    storeRequests++;
    storeQueue.push([cost, done]);
    if (!storeBusy) storeNext();
  };
  const storeNext = () => {
    const job = storeQueue.shift();
    if (job === undefined) {
      storeBusy = false;
      return;
    }
    storeBusy = true;
    storeBusyMs += job[0];
    at(now + job[0], () => {
      job[1]();
      storeNext();
    });
  };

  // ---- write side ----
  const entityFree = new Map(); // entity -> time its object is free (cloud) / chain (local)
  const entityChain = new Map(); // local: entity -> promise-like queue of waiting commands
  const revisions = new Map();
  let inFlight = 0;
  let commits = 0;
  let lastCommitAt = 0;
  let committedInWindow = 0;
  let refused = 0;
  const commitAt = new Map(); // key entity#rev -> commit time
  const queue = []; // messages: { entity, from, to, at }
  let qHead = 0;
  let messages = 0;
  let maxQueueRate = 0;
  const sendsPerSecond = new Map();

  const onCommit = (entity, n) => {
    const rev0 = revisions.get(entity) ?? 0;
    revisions.set(entity, rev0 + n);
    commits++;
    lastCommitAt = now;
    if (now <= sendEnd + o.clientLimitS * 1000) committedInWindow++;
    for (let r = rev0 + 1; r <= rev0 + n; r++) commitAt.set(`${entity}#${r}`, now);
    const sec = Math.floor(now / 1000);
    sendsPerSecond.set(sec, (sendsPerSecond.get(sec) ?? 0) + 1);
    const enqueue = () => {
      queue.push({ entity, from: rev0 + 1, to: rev0 + n, at: now });
      messages++;
      consumerWake();
    };
    if (o.machine === "cloud") at(now + o.queueDelayMs, enqueue);
    else enqueue();
  };

  const runCommand = (entity) => {
    if (o.machine === "local") {
      // One command at a time per entity: the next waits for this one's reply.
      cpu(o.cpuCommandMs, () => {
        inFlight--;
        onCommit(entity, o.eventsPerCommand);
        const waiting = entityChain.get(entity);
        if (waiting && waiting.length > 0) runCommand(waiting.shift());
        else entityChain.delete(entity);
      });
    } else {
      const start = Math.max(now, entityFree.get(entity) ?? 0);
      const end = start + o.commandMs;
      entityFree.set(entity, end);
      at(end, () => {
        inFlight--;
        onCommit(entity, o.eventsPerCommand);
      });
    }
  };

  for (let i = 0; i < total; i++) {
    at((i * 1000) / o.rate, () => {
      if (o.machine === "local" && inFlight >= o.inFlightCap) {
        refused++;
        return;
      }
      inFlight++;
      const entity = pick();
      if (o.machine === "local") {
        const chain = entityChain.get(entity);
        if (chain) chain.push(entity);
        else {
          entityChain.set(entity, []);
          runCommand(entity);
        }
      } else runCommand(entity);
    });
  }

  // ---- consumer ----
  const cursors = new Map(); // `${side}|${entity}` -> delivered revision
  const lags = [];
  let lastReceipt = 0;
  let running = 0;
  let batches = 0;
  let batchMessages = 0;
  let batchEntities = 0;
  let windowTimer = false;
  let deliveries = 0;
  let rowsWritten = 0;
  let maxSubrequests = 0;
  let delivered = 0;
  const wanted = () => commits * o.eventsPerCommand * o.readSides;

  const consumerWake = () => {
    while (running < o.concurrency && qHead < queue.length) {
      const waiting = queue.length - qHead;
      const oldest = queue[qHead].at;
      if (o.windowMs > 0 && waiting < o.batchSize && now - oldest < o.windowMs - 1e-6) {
        if (!windowTimer) {
          windowTimer = true;
          at(oldest + o.windowMs, () => {
            windowTimer = false;
            consumerWake();
          });
        }
        return;
      }
      const take = queue.slice(qHead, qHead + Math.min(o.batchSize, waiting));
      qHead += take.length;
      if (qHead > 8192) {
        queue.splice(0, qHead);
        qHead = 0;
      }
      running++;
      runBatch(take);
    }
  };

  const runBatch = (msgs) => {
    batches++;
    batchMessages += msgs.length;
    const groups = new Map();
    for (const m of msgs) groups.set(m.entity, Math.max(groups.get(m.entity) ?? 0, m.to));
    batchEntities += groups.size;
    // Pairs: (read side, entity) from its cursor to the news; the pair's events go one at a time.
    const pairs = [];
    for (const [entity, to] of groups) {
      for (let s = 0; s < o.readSides; s++) {
        const key = `${s}|${entity}`;
        const from = (cursors.get(key) ?? 0) + 1;
        if (from <= to) pairs.push({ key, entity, next: from, to });
      }
    }
    const events = [...groups].reduce((n, [entity, to]) => n + Math.max(0, to - (cursors.get(`0|${entity}`) ?? 0)), 0);
    maxSubrequests = Math.max(maxSubrequests, pairs.reduce((n, q) => n + q.to - q.next + 1, 0) + 2);
    const finish = () => {
      // Commit: one row per entity + one segment row; the cursors move in one transaction.
      rowsWritten += groups.size + 1;
      running--;
      consumerWake();
    };
    const commitStep = () => {
      if (o.machine === "local") cpu(o.cpuBatchMs / 2 + o.cpuEventMs * events, finish);
      else
        at(now + o.storeRttMs / 2, () =>
          store(o.storeFixedMs + o.storePerEntityMs * groups.size + o.storePerEntitySideMs * groups.size * o.readSides, () => at(now + o.storeRttMs / 2, finish)),
        );
    };
    const deliverAll = () => {
      let next = 0;
      let active = 0;
      const startPair = () => {
        while (active < o.connections && next < pairs.length) {
          active++;
          deliverOne(pairs[next++]);
        }
        if (active === 0 && next >= pairs.length) commitStep();
      };
      const deliverOne = (pair) => {
        const receive = () => {
          deliveries++;
          delivered++;
          const c = commitAt.get(`${pair.entity}#${pair.next}`);
          if (c !== undefined) lags.push(now - c);
          lastReceipt = now;
          cursors.set(pair.key, pair.next);
          pair.next++;
          if (pair.next <= pair.to) call();
          else {
            active--;
            startPair();
          }
        };
        const call = () => {
          if (o.machine === "local") cpu(o.cpuDeliveryMs, receive);
          else at(now + o.webhookMs * (1 - o.webhookJitter + 2 * o.webhookJitter * rand()), receive);
        };
        call();
      };
      startPair();
    };
    if (o.machine === "local") cpu(o.cpuBatchMs / 2, deliverAll);
    else at(now + o.storeRttMs / 2, () => store(o.storeFixedMs + o.storePerEntityMs * groups.size, () => at(now + o.storeRttMs / 2, deliverAll)));
  };

  // ---- run ----
  const hardEnd = sendEnd + (o.clientLimitS + o.drainLimitS) * 1000;
  while (heap.size > 0) {
    const [t, , fn] = heap.pop();
    if (t > hardEnd) break;
    now = t;
    fn();
  }
  lags.sort((a, b) => a - b);
  const drained = delivered >= wanted();
  for (const [, n] of sendsPerSecond) maxQueueRate = Math.max(maxQueueRate, n);
  const simEnd = now;
  return {
    rate: o.rate,
    readSides: o.readSides,
    committedRate: committedInWindow / o.seconds,
    commits,
    refused,
    lagP50Ms: quantile(lags, 0.5),
    lagP99Ms: quantile(lags, 0.99),
    drained,
    drainS: drained ? Math.max(0, (lastReceipt - lastCommitAt) / 1000) : o.drainLimitS,
    batches,
    messagesPerBatch: batches ? batchMessages / batches : 0,
    entitiesPerBatch: batches ? batchEntities / batches : 0,
    eventsPerEntityPerBatch: batchEntities ? batchMessages / batchEntities : 0,
    deliveries,
    messagesPerS: messages / o.seconds,
    peakMessagesPerS: maxQueueRate,
    storeRequestsPerS: storeRequests / (simEnd / 1000),
    storeBusyShare: storeBusyMs / simEnd,
    rowsWrittenPerS: rowsWritten / (simEnd / 1000),
    rowsPerEvent: commits ? rowsWritten / (commits * o.eventsPerCommand) : 0,
    cpuBusyShare: cpuBusyMs / simEnd,
    maxSubrequestsPerBatch: maxSubrequests,
  };
}

/** The bench's W5 verdict for one step (bench/src/workloads.ts w5). */
export function bounded(step, rate, { lagP99LimitMs = 2000, drainLimitS = 3 } = {}) {
  const why = [];
  if (!(step.lagP99Ms < lagP99LimitMs)) why.push(`lag p99 ${Math.round(step.lagP99Ms)} ms`);
  if (!step.drained) why.push("not drained");
  else if (step.drainS > drainLimitS) why.push(`drain ${step.drainS.toFixed(1)} s`);
  if (step.committedRate < 0.9 * rate) why.push(`committed ${Math.round(step.committedRate)}/s < 90%`);
  return { ok: why.length === 0, why: why.join("; ") };
}

/** W5 on a ladder of rates, as the bench runs it: step up until a step is not bounded. */
export function w5(params, rates) {
  let best;
  const steps = [];
  for (const rate of rates) {
    const s = simulate({ ...params, rate });
    const v = bounded(s, rate);
    steps.push({ ...s, bounded: v.ok, why: v.why });
    if (!v.ok) break;
    best = rate;
  }
  return { best, steps };
}

/** The highest bounded rate by bisection between `lo` (bounded) and `hi` (not), to `tol`. */
export function threshold(params, lo, hi, tol = 5) {
  const ok = (rate) => bounded(simulate({ ...params, rate }), rate).ok;
  if (!ok(lo)) return lo / 2;
  if (ok(hi)) return hi;
  while (hi - lo > tol) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
