// The log stream's table in docs/performance.md, from a run whose S2 rows count D1's rows (the log before partitions).

const n0 = (x) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US"));
const f = (x, d = 2) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));

/**
 * S2, one row per offered rate: what was committed, append → receipt and commit → receipt, exactness,
 * and D1 rows written per event split into the log row, the `$log` cursor and the rest (metrics counters).
 * @param {any} result a result file whose `logStream` rows carry `d1`
 * @returns {string}
 */
export function logStreamD1Table(result) {
  const lines = [
    "| offered cmd/s | committed | append → receipt p50 / p99 ms | commit → receipt p50 / p99 ms | lost / dup / out of order | D1 rows written/event (log + cursor + metrics counters) |",
    "|--:|--:|--:|--:|--:|--:|",
  ];
  for (const x of result.logStream) {
    const d = x.d1;
    lines.push(
      `| ${n0(x.rate)} | ${n0(x.committedRate)}/s (${n0(x.commits)}, ${n0(x.commandErrors)} errors) | ${n0(x.appendP50Ms)} / ${n0(x.appendP99Ms)} | ${n0(x.commitP50Ms)} / ${n0(x.commitP99Ms)} | ${x.missing} / ${x.duplicates} / ${x.outOfOrder} | ${f(d.rowsWrittenPerEvent)} (${[d.logRowsPerEvent, d.cursorRowsPerEvent, d.otherRowsWrittenPerEvent].map((v) => f(v)).join(" + ")}) |`,
    );
  }
  return lines.join("\n");
}
