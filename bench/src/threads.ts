// What workerd's threads did over a window, from /proc: CPU, and its main thread's wall time by state (the kernel's schedstat).
import { readFileSync, readdirSync } from "node:fs";

/** One thread's counters: CPU seconds (user + system), ns on a core, ns runnable waiting for one. */
export type ThreadStat = { cpuS: number; runNs: number; waitNs: number };

/** What one workerd process's main thread did during a window, as shares of its wall time. */
export interface MainThread {
  /** On a core. */
  onCpu: number;
  /** Runnable, waiting for a core (other threads and processes had both). */
  waitingForCore: number;
  /** Neither: blocked or idle (disk, timers, waiting for a reply from another process, nothing to do). */
  blocked: number;
}

/** Every thread of `pid`, by thread id (empty when unknown). */
export function readThreads(pid: number | undefined): Map<string, ThreadStat> {
  const out = new Map<string, ThreadStat>();
  if (pid === undefined) return out;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const [runNs = 0, waitNs = 0] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").trim().split(" ").map(Number);
      out.set(tid, { cpuS: (Number(f[11]) + Number(f[12])) / 100, runNs, waitNs });
    } catch {
      // The thread ended while we looked: its CPU is gone with it.
    }
  }
  return out;
}

/**
 * The process's CPU seconds between two readings, and its main thread's shares of `wallS` (the
 * main thread is the one with the most time on a core: it runs every Worker's and object's JavaScript).
 */
export function threadsBetween(before: Map<string, ThreadStat>, after: Map<string, ThreadStat>, wallS: number): { cpuS: number; main: MainThread } {
  const used = [...after].map(([tid, t]) => {
    const b = before.get(tid);
    return { cpuS: t.cpuS - (b?.cpuS ?? 0), runS: (t.runNs - (b?.runNs ?? 0)) / 1e9, waitS: (t.waitNs - (b?.waitNs ?? 0)) / 1e9 };
  });
  const main = [...used].sort((a, b) => b.runS - a.runS)[0] ?? { runS: 0, waitS: 0 };
  return {
    cpuS: used.reduce((a, t) => a + t.cpuS, 0),
    main: { onCpu: main.runS / wallS, waitingForCore: main.waitS / wallS, blocked: Math.max(0, 1 - (main.runS + main.waitS) / wallS) },
  };
}
