// Commands and errors counted in the front door's isolate and added to D1 as deltas, at most every 10 s.
import { log } from "../log.js";
import { labelsKey } from "./counter-deltas.js";
import { COMMANDS_TOTAL, ERRORS_TOTAL } from "./series.js";

/** Pending counts are written at most this often per isolate (one D1 statement each time). */
export const FLUSH_INTERVAL_MS = 10_000;

/**
 * Counts not yet in D1, by series and labels. A request never writes a row of its own: a Worker
 * isolate adds its counts in one upsert at most every FLUSH_INTERVAL_MS, so the cost is per
 * isolate, not per request. The price: counts of an isolate that stops before its next write are lost.
 */
const pending = new Map<string, { series: string; labels: string; value: number }>();
let lastFlush = 0;
let flushing = false;

function add(series: string, labels: Record<string, string>): void {
  const key = labelsKey(labels);
  const id = `${series}\u0000${key}`;
  const p = pending.get(id);
  if (p === undefined) pending.set(id, { series, labels: key, value: 1 });
  else p.value += 1;
}

/** Counts a command the front door answered: `outcome` is "ok" or the error code. */
export function countCommand(outcome: string): void {
  add(COMMANDS_TOTAL.name, { outcome });
}

/** Counts an error the front door answered, by code. */
export function countError(code: string): void {
  add(ERRORS_TOTAL.name, { code });
}

/**
 * Adds the pending counts to D1 when FLUSH_INTERVAL_MS has passed since the last write (for
 * waitUntil). On failure the counts stay pending for the next try; it never throws.
 */
export async function flushRequestCounters(db: D1Database, now: number, force = false): Promise<void> {
  if (flushing || pending.size === 0 || (!force && now - lastFlush < FLUSH_INTERVAL_MS)) return;
  flushing = true;
  lastFlush = now;
  const rows = [...pending.values()];
  pending.clear();
  try {
    await db
      .prepare(
        `INSERT INTO sh_metric_counter (series, labels, value, updated_at)
         SELECT j.value ->> 'series', j.value ->> 'labels', j.value ->> 'value', ?2 FROM json_each(?1) j WHERE true
         ON CONFLICT (series, labels) DO UPDATE SET value = sh_metric_counter.value + excluded.value, updated_at = excluded.updated_at`,
      )
      .bind(JSON.stringify(rows), now)
      .run();
  } catch (cause) {
    log.warn("statehouse: could not write request counters; keeping them for the next try", { error: cause });
    for (const r of rows) {
      const id = `${r.series}\u0000${r.labels}`;
      const p = pending.get(id);
      if (p === undefined) pending.set(id, r);
      else p.value += r.value;
    }
  } finally {
    flushing = false;
  }
}
