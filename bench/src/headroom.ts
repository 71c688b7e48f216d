// The partition store's headroom: events/s the consumer's two store calls reach on one partition and on K at once, with workerd's CPU per thread.
import { getJson } from "./client.js";
import { CAPACITY_WORKER, hostOf, startStack, type Stack } from "./stack.js";
import { type MainThread, readThreads, threadsBetween } from "./threads.js";
import type { WorkerLogs } from "./worker-logs.js";
import { uniqueId, type Plan } from "./workloads.js";

/** One headroom measurement (see workers/partition-capacity.ts), with what workerd spent during its loop. */
export interface HeadroomRow {
  batches: number;
  entities: number;
  sides: number;
  /** Partitions driven at once, and the workerd processes they ran in (1: all in the stack's own). */
  partitions: number;
  processes: number;
  seconds: number;
  events: number;
  eventsPerSecond: number;
  batchesPerSecond: number;
  requestsPerSecond: number;
  /** Each partition's loop: wall time, events/s, and the driver's time awaiting its loads and commits. */
  perPartition: { partition: number; seconds: number; eventsPerSecond: number; loadS: number; commitS: number }[];
  warmupS: number;
  /** workerd's CPU (user + system, every thread of every process used) during the loop, per batch and as a share of the wall time. */
  cpuMsPerBatch: number;
  cpuShareOfWall: number;
  /** Each process's main thread (the one that runs every Worker's and object's JavaScript). */
  mainThreads: MainThread[];
  /** events/s ÷ events/s of one partition alone in the stack's process, same entities and read sides (K > 1 rows only). */
  scaling?: number;
}

type Capacity = Pick<HeadroomRow, "seconds" | "events" | "perPartition">;

/**
 * Warms, then runs one loop per (stack, query) at once and reads every process's threads around
 * the loops. A process's main thread is its thread with the most time on a core.
 */
async function measure(stacks: Stack[], queries: string[]): Promise<Omit<HeadroomRow, "batches" | "entities" | "sides" | "partitions" | "processes" | "scaling">> {
  const host = hostOf(CAPACITY_WORKER);
  let warmupS = 0;
  for (const [i, s] of stacks.entries()) warmupS += (await getJson<{ warmupS: number }>(s.url, host, `/__bench/partition-capacity?phase=warm&${queries[i]}`)).warmupS;
  const before = stacks.map((s) => readThreads(s.workerdPid));
  const t0 = process.hrtime.bigint();
  const results = await Promise.all(stacks.map((s, i) => getJson<Capacity>(s.url, host, `/__bench/partition-capacity?${queries[i]}`)));
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  let cpuS = 0;
  const mainThreads = stacks.map((s, i) => {
    const used = threadsBetween(before[i] ?? new Map(), readThreads(s.workerdPid), wallS);
    cpuS += used.cpuS;
    return used.main;
  });
  const perPartition = results.flatMap((r) => r.perPartition);
  const events = results.reduce((a, r) => a + r.events, 0);
  const seconds = Math.max(...results.map((r) => r.seconds));
  const batches = perPartition.length * Number(/batches=(\d+)/.exec(queries[0] ?? "")?.[1] ?? 0);
  return {
    seconds,
    events,
    eventsPerSecond: events / seconds,
    batchesPerSecond: batches / seconds,
    requestsPerSecond: (2 * batches) / seconds,
    perPartition,
    warmupS,
    cpuMsPerBatch: (cpuS * 1000) / Math.max(1, batches),
    cpuShareOfWall: cpuS / wallS,
    mainThreads,
  };
}

/**
 * For each read-side count and batch size of the plan: one partition, then K at once in the
 * stack's one workerd process, then K partitions each in a workerd process of its own (extra
 * processes started here, with the headroom's Worker alone), reading the processes' threads
 * around each loop. One workerd runs every object's JavaScript on one thread, so only separate
 * processes show what partitions on threads of their own (as on Cloudflare) give on this machine.
 */
export async function headroom(stack: Stack, plan: Plan, buildDir: string, migrationsDir: string, logs: WorkerLogs): Promise<HeadroomRow[]> {
  const out: HeadroomRow[] = [];
  const extra: Stack[] = [];
  try {
    for (let i = 0; i < Math.max(0, ...plan.headroomProcesses); i++) {
      extra.push(await startStack(buildDir, { readSides: false, capacityOnly: `cap-${i}`, migrationsDir, logs }));
    }
    for (const sides of plan.headroomSides) {
      for (const entities of plan.headroomEntities) {
        const q = (partitions: number, first = 0) => `batches=${plan.headroomBatches}&entities=${entities}&sides=${sides}&partitions=${partitions}&first=${first}&run=${uniqueId("cap")}`;
        const base = { batches: plan.headroomBatches, entities, sides };
        let single: number | undefined;
        const add = (row: HeadroomRow) => {
          if (row.partitions === 1 && row.processes === 1) single = row.eventsPerSecond;
          else if (single !== undefined) row.scaling = row.eventsPerSecond / single;
          print(row);
          out.push(row);
        };
        for (const partitions of plan.headroomPartitions) add({ ...base, partitions, processes: 1, ...(await measure([stack], [q(partitions)])) });
        for (const processes of plan.headroomProcesses) {
          // Process i drives partition i of its own deployment: each a partition on a thread of its own.
          const used = extra.slice(0, processes);
          add({ ...base, partitions: processes, processes, ...(await measure(used, used.map((_, i) => q(1, i)))) });
        }
      }
    }
  } finally {
    for (const s of extra) await s.dispose();
  }
  return out;
}

function print(row: HeadroomRow): void {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const avg = (k: "loadS" | "commitS") => row.perPartition.reduce((a, p) => a + p[k], 0) / Math.max(1, row.perPartition.length);
  console.log(
    `  headroom, ${row.sides} read sides + $log, ${row.entities} entities per batch, ${row.partitions} partition(s) in ${row.processes} process(es): ${Math.round(row.eventsPerSecond)} events/s (${Math.round(row.requestsPerSecond)} store requests/s${row.scaling === undefined ? "" : `, ${row.scaling.toFixed(2)}× one partition`}); workerd CPU ${row.cpuMsPerBatch.toFixed(2)} ms/batch, ${pct(row.cpuShareOfWall)} of wall; main thread(s) on a core / waiting for one / blocked: ${row.mainThreads.map((m) => `${pct(m.onCpu)}/${pct(m.waitingForCore)}/${pct(m.blocked)}`).join(", ")}; awaiting load ${avg("loadS").toFixed(2)} s, commit ${avg("commitS").toFixed(2)} s of ${row.seconds.toFixed(2)} s; warm-up ${row.warmupS.toFixed(1)} s`,
  );
}
