// The subscription and log-stream tables of docs/performance.md (issue 9, the log before partitions: its S2 and S3 rows count D1's rows).

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

/** Several runs' figures in one cell: `A / B`, or one figure when every run agrees (`same`). */
const runs = (values, same = false) => (same && new Set(values).size === 1 ? values[0] : values.join(" / "));
/** A signed figure with a minus sign, as the prose writes it. */
const signed = (x) => f(x, 1).replace(/^-/, "−");

/**
 * S1 of several runs side by side, one row per number of subscribers; latencies give each run's
 * p50 / p99, runs separated by `;`.
 * @param {any[]} results result files with `subscriptions`, in the order the cells list them
 * @returns {string}
 */
export function subscribersTable(results) {
  const lines = [
    "| subscribers (all live) | receipt − reply p50 / p99 ms | send → receipt p50 / p99 ms | command round trip p50 ms | missing / dup / out of order | workerd CPU per delivery |",
    "|--:|--:|--:|--:|--:|--:|",
  ];
  for (const [i, first] of results[0].subscriptions.rows.entries()) {
    const rows = results.map((r) => r.subscriptions.rows[i]);
    if (rows.some((x) => x.subscribers !== first.subscribers || x.live !== x.subscribers)) throw new Error(`figures: S1 rows differ or not all live at ${first.subscribers} subscribers`);
    const none = first.subscribers === 0;
    const each = (p50, p99, fmt) => (none ? "–" : rows.map((x) => `${fmt(x[p50])} / ${fmt(x[p99])}`).join("; "));
    const sum = (k) => rows.reduce((a, x) => a + x[k], 0);
    const cpu = results.map((r) => r.subscriptions.cpuMsPerDelivery[String(first.subscribers)]);
    lines.push(
      `| ${n0(first.subscribers)} | ${each("receiptP50Ms", "receiptP99Ms", signed)} | ${each("sendToReceiptP50Ms", "sendToReceiptP99Ms", n0)} | ${runs(rows.map((x) => f(x.commandP50Ms, 1)))} | ${none ? "–" : `${sum("missing")} / ${sum("duplicates")} / ${sum("outOfOrder")}`} | ${cpu.some((c) => c === undefined) ? "–" : `${runs(cpu.map((c) => f(c)))} ms`} |`,
    );
  }
  return lines.join("\n");
}

/**
 * S2 of several runs, one row per run (A, B … in the order given) and offered rate.
 * @param {any[]} results result files with `logStream`
 * @returns {string}
 */
export function logStreamRunsTable(results) {
  const lines = [
    "| run | offered cmd/s | committed | commands failed | append → receipt p50 / p99 ms | commit → receipt p50 / p99 ms | lost / dup / out of order | events per entity per batch |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const [i, r] of results.entries()) {
    for (const x of r.logStream) {
      const why = x.firstCommandError ? ` (${x.firstCommandError.replace(/^.*\s/, "")})` : "";
      lines.push(
        `| ${label(i)} | ${n0(x.rate)} | ${n0(x.committedRate)}/s | ${n0(x.commandErrors)}${why} | ${n0(x.appendP50Ms)} / ${n0(x.appendP99Ms)} | ${n0(x.commitP50Ms)} / ${n0(x.commitP99Ms)} | ${x.missing} / ${x.duplicates} / ${x.outOfOrder} | ${f(x.eventsPerEntityPerBatch)} |`,
      );
    }
  }
  return lines.join("\n");
}

/**
 * S3 of several runs side by side: D1 rows per event for the log, by offered rate and entities.
 * @param {any[]} results result files with `logRows`, in the order the cells list them
 * @returns {string}
 */
export function logRowsTable(results) {
  const lines = [
    `| cmd/s over entities | events per entity per batch (${labels(results)}) | \`sh_log\` rows/event | \`$log\` cursor rows/event (${labels(results)}) | all rows written/event (${labels(results)}) | rows read/event (${labels(results)}) |`,
    "|---|--:|--:|--:|--:|--:|",
  ];
  for (const [i, first] of results[0].logRows.entries()) {
    const rows = results.map((r) => r.logRows[i]);
    if (rows.some((x) => x.rate !== first.rate || x.entities !== first.entities)) throw new Error(`figures: S3 rows differ at ${first.rate} over ${first.entities}`);
    const cell = (get, d, same = false) => runs(rows.map((x) => (d === 0 ? n0(get(x)) : f(get(x), d))), same);
    lines.push(
      `| ${n0(first.rate)} over ${n0(first.entities)} | ${cell((x) => x.eventsPerEntityPerBatch, 2)} | ${cell((x) => x.d1.logRowsPerEvent, 3, true)} | ${cell((x) => x.d1.cursorRowsPerEvent, 3)} | ${cell((x) => x.d1.rowsWrittenPerEvent, 3)} | ${cell((x) => x.d1.rowsReadPerEvent, 0)} |`,
    );
  }
  return lines.join("\n");
}

const label = (i) => String.fromCharCode(65 + i);
const labels = (results) => results.map((_r, i) => label(i)).join(" / ");
