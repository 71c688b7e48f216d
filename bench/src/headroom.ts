// The partition store's headroom: events/s the consumer's two store calls reach on one partition and on K at once, with workerd's CPU per thread.
import { readFileSync, readdirSync } from "node:fs";
import { getJson } from "./client.js";
import { CAPACITY_WORKER, hostOf, type Stack } from "./stack.js";
import { uniqueId, type Plan } from "./workloads.js";

/** One headroom measurement (see workers/partition-capacity.ts), with what workerd's threads spent during its loop. */
export interface HeadroomRow {
  batches: number;
  entities: number;
  sides: number;
  partitions: number;
  seconds: number;
  events: number;
  eventsPerSecond: number;
  batchesPerSecond: number;
  requestsPerSecond: number;
  perPartition: { partition: number; seconds: number; eventsPerSecond: number; loadS: number; commitS: number }[];
  warmupS: number;
  /** workerd's CPU (user + system, every thread) during the loop, per batch and as a share of the loop's wall time. */
  cpuMsPerBatch: number;
  cpuShareOfWall: number;
  /** The busiest workerd thread's CPU as a share of the wall time: 1.0 is one thread saturated. */
  busiestThreadShare: number;
  busiestThread: string;
  /**
   * The same thread's wall time by what it did (the kernel's schedstat): on a core, runnable but
   * waiting for a core (other processes had both), and the rest — blocked or idle (disk, timers,
   * nothing to run). Shares of the loop's wall time.
   */
  busiestThreadOnCpu: number;
  busiestThreadWaitingForCore: number;
  busiestThreadBlocked: number;
  /** Threads that used at least 5% of the wall time, with their share. */
  busyThreads: { name: string; share: number }[];
  /** events/s with K partitions ÷ events/s with one, same entities and read sides (K > 1 rows only). */
  scaling?: number;
}

/** CPU seconds (user + system) of each thread of `pid`, by thread id, with its name and schedstat (ns on a core, ns runnable waiting for one). */
function threadCpu(pid: number | undefined): Map<string, { name: string; cpuS: number; runNs: number; waitNs: number }> {
  const out = new Map<string, { name: string; cpuS: number; runNs: number; waitNs: number }>();
  if (pid === undefined) return out;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8").trim();
      const [runNs = 0, waitNs = 0] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ").map(Number);
      out.set(tid, { name: `${name} (${tid})`, cpuS: (Number(f[11]) + Number(f[12])) / 100, runNs, waitNs });
    } catch {
      // The thread ended while we looked: its CPU is gone with it, and was not the loop's.
    }
  }
  return out;
}

/**
 * For each read-side count, batch size and partition count of the plan: warm the partitions,
 * then run the loop, reading workerd's threads' CPU around it. Everything runs in one workerd
 * process on a machine whose cores the client shares, so the K-partition rows also say whether
 * one thread was the limit (see the README's "Headroom").
 */
export async function headroom(stack: Stack, plan: Plan): Promise<HeadroomRow[]> {
  const out: HeadroomRow[] = [];
  const host = hostOf(CAPACITY_WORKER);
  for (const sides of plan.headroomSides) {
    for (const entities of plan.headroomEntities) {
      let single: number | undefined;
      for (const partitions of plan.headroomPartitions) {
        const query = `batches=${plan.headroomBatches}&entities=${entities}&sides=${sides}&partitions=${partitions}&run=${uniqueId("cap")}`;
        const { warmupS } = await getJson<{ warmupS: number }>(stack.url, host, `/__bench/partition-capacity?phase=warm&${query}`);
        const before = threadCpu(stack.workerdPid);
        const t0 = process.hrtime.bigint();
        const r = await getJson<Pick<HeadroomRow, "batches" | "entities" | "sides" | "partitions" | "seconds" | "events" | "eventsPerSecond" | "batchesPerSecond" | "requestsPerSecond" | "perPartition">>(
          stack.url,
          host,
          `/__bench/partition-capacity?${query}`,
        );
        const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
        const after = threadCpu(stack.workerdPid);
        const used = [...after]
          .map(([tid, t]) => {
            const b = before.get(tid);
            return { name: t.name, cpuS: t.cpuS - (b?.cpuS ?? 0), runS: (t.runNs - (b?.runNs ?? 0)) / 1e9, waitS: (t.waitNs - (b?.waitNs ?? 0)) / 1e9 };
          })
          .sort((a, b) => b.runS - a.runS);
        const top = used[0];
        const cpuS = used.reduce((a, t) => a + t.cpuS, 0);
        const row: HeadroomRow = {
          ...r,
          warmupS,
          cpuMsPerBatch: (cpuS * 1000) / (partitions * plan.headroomBatches),
          cpuShareOfWall: cpuS / wallS,
          busiestThreadShare: (top?.cpuS ?? 0) / wallS,
          busiestThread: top?.name ?? "?",
          busiestThreadOnCpu: (top?.runS ?? 0) / wallS,
          busiestThreadWaitingForCore: (top?.waitS ?? 0) / wallS,
          busiestThreadBlocked: Math.max(0, 1 - ((top?.runS ?? 0) + (top?.waitS ?? 0)) / wallS),
          busyThreads: used.filter((t) => t.cpuS / wallS >= 0.05).map((t) => ({ name: t.name, share: t.cpuS / wallS })),
        };
        if (partitions === 1) single = row.eventsPerSecond;
        else if (single !== undefined) row.scaling = row.eventsPerSecond / single;
        console.log(
          `  headroom, ${sides} read sides + $log, ${entities} entities per batch, ${partitions} partition(s) at once: ${Math.round(row.eventsPerSecond)} events/s (${Math.round(row.requestsPerSecond)} store requests/s${row.scaling === undefined ? "" : `, ${row.scaling.toFixed(2)}× one partition`}); workerd CPU ${row.cpuMsPerBatch.toFixed(2)} ms/batch, ${(row.cpuShareOfWall * 100).toFixed(0)}% of wall, busiest thread (${row.busiestThread}) on a core ${(row.busiestThreadOnCpu * 100).toFixed(0)}%, waiting for a core ${(row.busiestThreadWaitingForCore * 100).toFixed(0)}%, blocked ${(row.busiestThreadBlocked * 100).toFixed(0)}%; awaiting load ${sumOf(row, "loadS").toFixed(2)} s, commit ${sumOf(row, "commitS").toFixed(2)} s of ${row.seconds.toFixed(2)} s; warm-up ${warmupS.toFixed(1)} s`,
        );
        out.push(row);
      }
    }
  }
  return out;
}

/** A per-partition figure averaged over the partitions (they run concurrently, so each spans the same wall time). */
function sumOf(row: HeadroomRow, k: "loadS" | "commitS"): number {
  return row.perPartition.reduce((a, p) => a + p[k], 0) / Math.max(1, row.perPartition.length);
}
