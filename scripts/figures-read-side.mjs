// The read-side tables of the docs that the bench's renderer does not print: W4 by batch window (docs/scale.md) and the pre-partition run's W4, W5 and D1 headroom (docs/performance.md).

const n0 = (x) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US"));
const f = (x, d = 2) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));

/** `lo–hi` over the read sides, or one figure when they agree. */
function range(values) {
  const [lo, hi] = [n0(Math.min(...values)), n0(Math.max(...values))];
  return lo === hi ? lo : `${lo}–${hi}`;
}

/**
 * W4 of a partitioned run, one row per batch window and offered rate: what a batch holds, the
 * central store's rows and requests per event, and the read sides' lag.
 * @param {any} result a result file with `lag` rows carrying `batchWindowS` and `central`
 * @param {number[]} rates the offered rates to show
 * @returns {string}
 */
export function windowsTable(result, rates) {
  const lines = [
    "| window | cmd/s | messages per batch | rows written per event (entity rows / segments / new entities / failing) | requests per event | lag p50 / p99 |",
    "| --: | --: | --: | --- | --: | --- |",
  ];
  for (const l of result.lag.filter((x) => rates.includes(x.targetRate))) {
    const s = l.central.split;
    const sides = Object.values(l.readSides);
    const rows = `${f(l.central.rowsWrittenPerEvent, 3)} (${[s.entityRows, s.logSegments, s.newEntityRows, s.failingParked].map((x) => f(x, 3)).join(" / ")})`;
    const lag = `${range(sides.map((x) => x.lagP50Ms))} / ${range(sides.map((x) => x.lagP99Ms))} ms`;
    lines.push(`| ${l.batchWindowS} s | ${n0(l.targetRate)} | ${f(l.batches.messagesPerBatch, 1)} | ${rows} | ${f(l.central.requestsPerEvent, 3)} | ${lag} |`);
  }
  return lines.join("\n");
}

/**
 * W4 of the run before partitions (read-side cursors in D1): lag per read side, exactness, and D1's
 * queries and rows per event.
 * @param {any} result a result file whose `lag` rows carry `d1QueriesPerEvent`
 * @returns {string}
 */
export function d1LagTable(result) {
  const names = Object.keys(result.lag[0].readSides);
  const lines = [
    `| offered cmd/s | committed | lag p50 / p99 ms (${names.join("; ")}) | lost / out of order / duplicates | D1 queries per event | D1 rows written per event per read side | events per entity per batch |`,
    "|--:|--:|---|---|--:|--:|--:|",
  ];
  for (const l of result.lag) {
    const sides = names.map((n) => l.readSides[n]);
    const lag = sides.map((x) => `${n0(x.lagP50Ms)} / ${n0(x.lagP99Ms)}`).join("; ");
    const sum = (k) => sides.reduce((a, x) => a + x[k], 0);
    lines.push(
      `| ${n0(l.targetRate)} | ${n0(l.achievedRate)}/s | ${lag} | ${sum("lost")} / ${sum("outOfOrder")} / ${sum("duplicates")} | ${f(l.d1QueriesPerEvent)} | ${f(l.d1RowsWrittenPerEventPerReadSide)} | ${f(l.batches.eventsPerEntityPerBatch)} |`,
    );
  }
  return lines.join("\n");
}

/**
 * W5 of the run before partitions: per number of read sides, the highest bounded rate with what it
 * cost D1 there, and the step above it that was not bounded.
 * @param {any} result a result file whose `maxRate` steps carry `d1QueriesPerS`
 * @returns {string}
 */
export function d1MaxRateTable(result) {
  const lines = [
    "| read sides | highest bounded cmd/s | lag p99 ms there | D1 queries/s there | D1 rows written/s there | next step: offered / committed cmd/s, lag p99 ms |",
    "|--:|--:|--:|--:|--:|---|",
  ];
  for (const w of result.maxRate) {
    const at = w.steps.find((x) => x.targetRate === w.maxBoundedRate);
    const next = w.steps.find((x) => x.targetRate > w.maxBoundedRate);
    const over = next === undefined ? "none run" : `${n0(next.targetRate)} / ${n0(next.committedRate)}, ${n0(next.lagP99Ms)}`;
    lines.push(`| ${w.readSides} | ${n0(w.maxBoundedRate)} | ${n0(at?.lagP99Ms)} | ${n0(at?.d1QueriesPerS)} | ${n0(at?.d1RowsWrittenPerS)} | ${over} |`);
  }
  return lines.join("\n");
}

/**
 * The D1 headroom of the run before partitions: events/s of the consumer's own D1 round trips,
 * back to back, per number of read sides and entities per batch.
 * @param {any} result a result file with `d1Capacity`
 * @returns {string}
 */
export function d1HeadroomTable(result) {
  const c = result.d1Capacity;
  const entities = [...new Set(c.map((x) => x.entities))];
  const lines = [`| read sides | ${entities.map((e) => `events/s, ${n0(e)} entities per batch`).join(" | ")} |`, `|--:|${entities.map(() => "--:").join("|")}|`];
  for (const sides of new Set(c.map((x) => x.sides))) {
    lines.push(`| ${sides} | ${entities.map((e) => n0(c.find((x) => x.sides === sides && x.entities === e)?.eventsPerSecond)).join(" | ")} |`);
  }
  return lines.join("\n");
}
