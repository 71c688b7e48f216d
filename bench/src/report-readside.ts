// The read side's tables: the pipeline's targets, W4 (lag, exactness, the central store per event), W5 and the partition store's headroom.
import { f, n0 } from "./format.js";
import type { HeadroomRow } from "./headroom.js";
import type { Results } from "./main.js";
import type { LagRow, W5Row } from "./readside.js";
import { PIPELINE_TARGETS as T } from "./targets.js";

const pct = (x: number) => `${f(x * 100, 0)}%`;
const yes = (ok: boolean | undefined) => (ok === undefined ? "–" : ok ? "yes" : "**no**");

/** Every target of "Scale out the event pipeline" this run measured, with the value and whether it is met. */
export function targetsTable(r: Results): string[] {
  const rows: string[] = [];
  const add = (what: string, value: string, target: string, met: boolean | undefined) => rows.push(`| ${what} | ${value} | ${target} | ${yes(met)} |`);
  const lag = Array.isArray(r.lag) ? r.lag : [];
  for (const rate of [T.lagRate, 50]) {
    const x = lag.find((l) => l.batchWindowS === 0 && l.targetRate === rate);
    if (x === undefined) continue;
    const c = x.central;
    add(`W4 ${rate} cmd/s: central-store rows written per event (partition stores + D1)`, f(c.rowsWrittenPerEvent, 3), `≤ ${T.rowsWrittenPerEvent[rate]}`, c.rowsWrittenPerEvent <= (T.rowsWrittenPerEvent[rate] ?? 0));
    add(`W4 ${rate} cmd/s: central-store requests per event (partition RPCs + D1 statements)`, f(c.requestsPerEvent, 3), `≤ ${T.requestsPerEvent[rate]}`, c.requestsPerEvent <= (T.requestsPerEvent[rate] ?? 0));
    add(`W4 ${rate} cmd/s: SQL statements per event inside the partition store (local, not round trips)`, f(c.partitionStatementsPerEvent, 2), `(≤ ${T.requestsPerEvent[rate]} if held to the same target)`, undefined);
  }
  const at = lag.find((l) => l.batchWindowS === 0 && l.targetRate === T.lagRate);
  if (at !== undefined) {
    const sides = Object.values(at.readSides);
    const bad = sides.reduce((a, s) => a + s.lost + s.outOfOrder + s.duplicates, 0);
    const p99 = Math.max(...sides.map((s) => s.lagP99Ms));
    add(`W4 ${T.lagRate} cmd/s: lost / out of order / duplicates (both read sides)`, sides.map((s) => `${s.lost}/${s.outOfOrder}/${s.duplicates}`).join(", "), "0/0/0", bad === 0);
    add(`W4 ${T.lagRate} cmd/s: read-side lag p99 (worst read side)`, `${f(p99, 0)} ms`, `< ${T.lagP99Ms} ms`, p99 < T.lagP99Ms);
  }
  for (const w of Array.isArray(r.maxRate) ? r.maxRate : []) {
    const s = w.steps.find((x) => x.targetRate === T.lagRate);
    if (s === undefined) continue;
    add(`W5 ${w.readSides} read side(s) at ${T.lagRate} cmd/s: lost / out of order / duplicates; lag p99`, `${s.lost}/${s.outOfOrder}/${s.duplicates}; ${f(s.lagP99Ms, 0)} ms`, `0/0/0; < ${T.lagP99Ms} ms`, s.lost + s.outOfOrder + s.duplicates === 0 && s.lagP99Ms < T.lagP99Ms);
  }
  for (const h of r.headroom ?? []) {
    if (h.partitions === 1 && h.processes === 1) {
      add(`Headroom, one partition, ${h.sides} read sides + log, ${h.entities} entities per batch: events/s`, n0(h.eventsPerSecond), `≥ ${T.partitionEventsPerSecond.toLocaleString("en-US")}`, h.eventsPerSecond >= T.partitionEventsPerSecond);
    } else if (h.scaling !== undefined && h.partitions === 4) {
      const where = h.processes === 1 ? "in one workerd process" : `in ${h.processes} workerd processes`;
      add(`Headroom, 4 partitions at once ${where}, ${h.entities} entities per batch: events/s ÷ one partition's`, `${f(h.scaling)}× (${n0(h.eventsPerSecond)} events/s)`, `≥ ${T.fourPartitionScaling}×`, h.scaling >= T.fourPartitionScaling);
    }
  }
  if (rows.length === 0) return [];
  return [
    "### Targets (one partition, two read sides and the log, 100 entities, batch window 0)",
    "",
    "Requests per event is the measure comparable to the old \"D1 statements per event\": each is a round trip to a central store that serves them one at a time. SQL statements inside the partition store run locally within those requests.",
    "",
    "| measure | this run | target | met |",
    "|---|--:|--:|---|",
    ...rows,
  ];
}

/** W4's lag and exactness per read side, then the central store per event and its split by what writes it. */
export function lagTables(lag: LagRow[] | { pending: string }): string[] {
  if (!Array.isArray(lag)) return ["### W4 — read-side lag", "", `Pending: ${lag.pending}.`];
  const out = [
    "### W4 — read-side lag (two read sides; `flaky` fails 1% of calls), by the consumer's batch window (max_batch_timeout)",
    "",
    "| batch window s | target cmd/s | achieved | commits | read side | lag p50 ms | lag p99 ms | duplicates | out of order | lost | central rows written/event | central requests/event | partition SQL statements/event | events/entity/batch | drain s |",
    "|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const x of lag) {
    for (const [rs, v] of Object.entries(x.readSides)) {
      out.push(
        `| ${x.batchWindowS} | ${x.targetRate} | ${n0(x.achievedRate)} | ${n0(x.commits)} | ${rs}${v.failuresInjected ? ` (${v.failuresInjected} failures injected)` : ""} | ${f(v.lagP50Ms, 1)} | ${f(v.lagP99Ms, 1)} | ${v.duplicates} | ${v.outOfOrder} | ${v.lost} | ${f(x.central.rowsWrittenPerEvent, 3)} | ${f(x.central.requestsPerEvent, 3)} | ${f(x.central.partitionStatementsPerEvent, 2)} | ${f(x.batches.eventsPerEntityPerBatch)} | ${f(x.drainS, 1)} |`,
      );
    }
  }
  out.push(
    "",
    "Consumer batches: " + lag.map((x) => `window ${x.batchWindowS} s, ${x.targetRate}/s: ${n0(x.batches.batches)} batches, ${f(x.batches.messagesPerBatch, 1)} messages and ${f(x.batches.entitiesPerBatch, 1)} entities per batch, ${f(x.batches.eventsPerEntityPerBatch)} events per entity per batch`).join("; ") + ".",
    "",
    "#### W4 — the central store per event, by what writes it",
    "",
    "Partition rows from every statement's rowsWritten (entity rows = p_entity rows a commit writes back, one per entity per batch with every read side's cursor; new entities = the load's index inserts; log segments = log_segment and the log's other tables; failing/parked = p_failing, p_parked), D1 rows from meta.rows_written. Requests = RPCs to the partition store (load, commit, other) + D1 statements. workerd = from the first command to the last delivery: CPU of every thread per committed event (front door, entities, consumer, store, handlers), and the main thread (it runs all of workerd's JavaScript) on a core / runnable waiting for one, as shares of that wall time.",
    "",
    "| batch window s | cmd/s | entity rows | new entities | log segments | failing/parked | other partition | D1 | all rows written | loads | commits | other partition requests (in the window) | D1 statements | D1 rows written by table (in the window) | workerd CPU ms/event | main thread on a core / waiting for one |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|---|--:|--:|",
  );
  for (const x of lag) {
    const c = x.central;
    const s = c.split;
    const other = Object.entries(c.otherRequests).map(([m, n]) => `${m} ${n}`).join(", ") || "none";
    const d1 = Object.entries(c.d1RowsWrittenByTable).map(([t, n]) => `${t} ${n}`).join(", ") || "none";
    out.push(
      `| ${x.batchWindowS} | ${x.targetRate} | ${f(s.entityRows, 3)} | ${f(s.newEntityRows, 3)} | ${f(s.logSegments, 3)} | ${f(s.failingParked, 3)} | ${f(s.otherPartition, 3)} | ${f(s.d1, 4)} | ${f(c.rowsWrittenPerEvent, 3)} | ${f(c.loadsPerEvent, 3)} | ${f(c.commitsPerEvent, 3)} | ${other} | ${f(c.d1StatementsPerEvent, 4)} | ${d1} | ${f(x.workerd.cpuMsPerEvent)} | ${pct(x.workerd.main.onCpu)} / ${pct(x.workerd.main.waitingForCore)} |`,
    );
  }
  return out;
}

export function maxRateTable(w5: W5Row[] | { pending: string }, r: Results): string[] {
  const head = "### W5 — highest rate with bounded read-side lag (100 entities, every read side ok)";
  if (!Array.isArray(w5)) return [head, "", `Pending: ${w5.pending}.`];
  const p = r.plan;
  const out = [
    head,
    "",
    `Offered open-loop rates ${p.w5Rates.join(", ")} cmd/s, ${p.w5StepSeconds} s each, stepped up until one is not bounded: bounded = lag p99 < ${p.w5LagP99LimitMs} ms, every delivery in within ${p.w5DrainLimitS} s of the last reply, ≥ 90% of the offered rate committed, and at most 1% of commands failing. Central store per second = the step's requests (partition RPCs + D1 statements) and rows written (drain included) / its send window.`,
    "",
    "| read sides | highest bounded cmd/s | committed cmd/s | lag p50 ms | lag p99 ms | drain s | central requests/s | central rows written/s | requests/event | rows written/event | events/entity/batch | next step |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  ];
  for (const x of w5) {
    const s = x.best;
    const next = x.steps.find((y) => !y.bounded);
    const nextText = next === undefined ? "none (top step bounded)" : `${next.targetRate}/s: ${next.why}`;
    out.push(`| ${x.readSides} | ${x.maxBoundedRate ?? "none"} | ${n0(s?.committedRate)} | ${f(s?.lagP50Ms, 1)} | ${f(s?.lagP99Ms, 1)} | ${f(s?.drainS, 1)} | ${n0(s?.centralRequestsPerS)} | ${n0(s?.centralRowsWrittenPerS)} | ${f(s?.central.requestsPerEvent, 3)} | ${f(s?.central.rowsWrittenPerEvent, 3)} | ${f(s?.batches.eventsPerEntityPerBatch)} | ${nextText} |`);
  }
  out.push("", "Every step:", "", "| read sides | offered cmd/s | committed cmd/s | lag p50 ms | lag p99 ms | drain s | lost | dup | out of order | central requests/s | central rows written/s | rows written/event | events/entity/batch | workerd CPU ms/event | main thread on a core | bounded |", "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
  for (const x of w5) {
    for (const s of x.steps) {
      out.push(`| ${s.readSides} | ${s.targetRate} | ${n0(s.committedRate)} | ${f(s.lagP50Ms, 1)} | ${f(s.lagP99Ms, 1)} | ${f(s.drainS, 1)} | ${s.lost} | ${s.duplicates} | ${s.outOfOrder} | ${n0(s.centralRequestsPerS)} | ${n0(s.centralRowsWrittenPerS)} | ${f(s.central.rowsWrittenPerEvent, 3)} | ${f(s.batches.eventsPerEntityPerBatch)} | ${f(s.workerd.cpuMsPerEvent)} | ${pct(s.workerd.main.onCpu)} | ${s.bounded ? "yes" : `no: ${s.why}`} |`);
    }
  }
  return out;
}

export function headroomTable(rows: HeadroomRow[]): string[] {
  return [
    "### Headroom — the partition store alone (the consumer's load, then one commit moving every cursor and appending one event per entity, back to back)",
    "",
    "One workerd process runs every Worker's and object's JavaScript on one main thread, so K partitions in the stack's process share that thread; the rows with K processes start K more workerd processes (the headroom's Worker alone, each its own deployment) and drive one partition in each — a partition per thread, as on Cloudflare, but on this machine's 2 cores, which the client and other processes share. workerd CPU = user + system of every thread of the processes used, during the loop. Main thread(s): the wall time each process's main thread spent on a core / runnable but waiting for a core / blocked or idle (the kernel's schedstat). Awaiting load / commit = the driver's time in each call, averaged over the partitions.",
    "",
    "| read sides + log | entities per batch | partitions | workerd processes | batches each | events/s | × one partition | store requests/s | workerd CPU ms/batch | workerd CPU / wall | main thread(s): on a core / waiting for a core / blocked | awaiting load / commit s (of the loop's s) | warm-up s |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ...rows.map((x) => {
      const avg = (k: "loadS" | "commitS") => x.perPartition.reduce((a, p) => a + p[k], 0) / Math.max(1, x.perPartition.length);
      const main = x.mainThreads.map((m) => `${pct(m.onCpu)} / ${pct(m.waitingForCore)} / ${pct(m.blocked)}`).join("; ");
      return `| ${x.sides} + 1 | ${x.entities} | ${x.partitions} | ${x.processes} | ${x.batches} | ${n0(x.eventsPerSecond)} | ${x.scaling === undefined ? "–" : `${f(x.scaling)}×`} | ${n0(x.requestsPerSecond)} | ${f(x.cpuMsPerBatch)} | ${pct(x.cpuShareOfWall)} | ${main} | ${f(avg("loadS"))} / ${f(avg("commitS"))} (${f(x.seconds)}) | ${f(x.warmupS, 1)} |`;
    }),
  ];
}
