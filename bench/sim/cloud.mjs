// Predictions for Cloudflare: K partitions at a total event rate, with the platform's ceilings checked.
// Every ceiling is a documented limit (docs/scale-model.md cites each); every latency is an assumption
// stated in ASSUMED below and printed with the results.
import { simulate } from "./sim.mjs";

/** Platform ceilings (docs/scale-model.md, "Ceilings", cites each page). */
export const CEILINGS = {
  queueMessagesPerS: 5000,
  queueConcurrency: 250,
  queueBatch: 100,
  doRequestsPerS: 1000,
  doStorageBytes: 10e9,
  subrequestsPerInvocation: 1000,
  connectionsPerInvocation: 6,
};

/** Latencies and service times nobody measured on Cloudflare for this project: assumptions. */
export const ASSUMED = {
  commandMs: 4, // an entity object busy per command (handler round trips + commit); local p50 was 2.9 ms (bench/results/latest.json W1)
  queueDelayMs: 50, // send → a consumer sees the message
  storeRttMs: 10, // consumer Worker ↔ partition store, one RPC round trip
  storeFixedMs: 0.5, // the store's service time per request …
  storePerEntityMs: 0.03, // … per entity row read or written …
  storePerEntitySideMs: 0.005, // … per cursor in it
  webhookMs: 30, // one read-side handler call (HTTP), uniform ±50 %
  webhookJitter: 0.5,
  connections: 6,
};

/**
 * Share of the busiest partition's load over the mean, with entities hashed to `shards` shards
 * and shard s owned by partition s % K: Zipf(s) over `entities`, the top `top` ranks placed one by
 * one (their hashes are random), the rest spread evenly.
 */
export function imbalance(K, shards, entities, s, rand, top = 20_000) {
  if (K === 1) return 1;
  let total = 0;
  const w = [];
  for (let k = 1; k <= Math.min(top, entities); k++) total += w[k - 1] = 1 / Math.pow(k, s);
  const tail = entities > top ? (s === 1 ? Math.log(entities / top) : (Math.pow(entities, 1 - s) - Math.pow(top, 1 - s)) / (1 - s)) : 0;
  const load = new Float64Array(K);
  for (const x of w) load[Math.floor(rand() * shards) % K] += x;
  for (let p = 0; p < K; p++) load[p] += (tail * Math.ceil((shards - p) / K)) / shards;
  const sum = total + tail;
  return (Math.max(...load) / sum) * K;
}

/** The top entity's share of all commands under Zipf(s) over `entities`. */
export function topShare(entities, s, top = 20_000) {
  let total = 0;
  for (let k = 1; k <= Math.min(top, entities); k++) total += 1 / Math.pow(k, s);
  const tail = entities > top ? (s === 1 ? Math.log(entities / top) : (Math.pow(entities, 1 - s) - Math.pow(top, 1 - s)) / (1 - s)) : 0;
  return 1 / (total + tail);
}

/** Bytes of one p_entity row with R read sides (+ `$log`): its cursors' JSON as the codec writes it, the key, and its shard index entry. */
export function entityRowBytes(R, entityIdBytes = 24, overhead = 1.3) {
  const cursors = {};
  for (let i = 0; i <= R; i++) cursors[i === 0 ? "$log" : `read-side-${i}`] = { g: "0123456789abcdef", r: 123456, u: 1765080000000 };
  const row = entityIdBytes + 4 + 8 + 8 + JSON.stringify(cursors).length;
  const index = entityIdBytes + 4;
  return Math.round((row + index) * overhead);
}

/** One partition at `rate` events/s on Cloudflare: the simulation's figures and each ceiling's verdict. */
export function partitionAt(rate, { readSides, entities, zipf, concurrency, windowMs, seconds = 6, seed = 7 }) {
  const s = simulate({ machine: "cloud", rate, seconds, entities, pick: "zipf", zipf, readSides, concurrency, windowMs, batchSize: CEILINGS.queueBatch, seed, drainLimitS: 30, ...ASSUMED });
  const breaks = [];
  if (s.messagesPerS > CEILINGS.queueMessagesPerS) breaks.push(`queue ${Math.round(s.messagesPerS)} msg/s > ${CEILINGS.queueMessagesPerS}`);
  if (s.storeRequestsPerS > CEILINGS.doRequestsPerS) breaks.push(`partition store ${Math.round(s.storeRequestsPerS)} req/s > ${CEILINGS.doRequestsPerS} (soft)`);
  if (s.maxSubrequestsPerBatch > CEILINGS.subrequestsPerInvocation) breaks.push(`${s.maxSubrequestsPerBatch} subrequests in one batch > ${CEILINGS.subrequestsPerInvocation}`);
  if (!(s.lagP99Ms < 2000) || !s.drained) breaks.push(`lag p99 ${Math.round(s.lagP99Ms)} ms`);
  return { ...s, breaks };
}
