// The README's performance tables, rendered from named bench result files (bench/results/*.json).

const n0 = (x) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en-US"));
const f = (x, d = 2) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));
const date = (r) => r.startedAt.slice(0, 10);

/**
 * The result files the README's tables are read from: one full run for the command path (W1–W3),
 * the partitioned pipeline's read-side run (W4, W5, headroom), the archive run, and the two
 * subscription runs. Changing a figure in the README means re-running the bench and naming the
 * new file here.
 */
export const SUMMARY_SOURCES = {
  commands: "latest",
  pipeline: "partitions-3",
  archive: "archive-3",
  subscribers: "streams-s1",
  logStream: "streams-s2-quiet",
};

/** @param {Record<string, any>} results result files by name @returns {string} */
export function runsTable(results) {
  const lines = ["| result file (`bench/results/`) | started (UTC) | length | machine | Node | miniflare (wrangler) | load average (1 min) |", "|---|---|--:|---|---|---|---|"];
  for (const name of Object.values(SUMMARY_SOURCES)) {
    const r = results[name];
    const m = r.machine;
    const loads = (r.loadAverages ?? []).map((l) => Number(/:\s*([\d.]+)/.exec(l)?.[1])).filter(Number.isFinite);
    const [lo, hi] = [f(Math.min(...loads), 1), f(Math.max(...loads), 1)];
    const load = loads.length === 0 ? "not recorded" : lo === hi ? lo : `${lo}–${hi}`;
    lines.push(`| \`${name}.json\` | ${r.startedAt.slice(0, 16).replace("T", " ")} | ${n0(r.durationS)} s | ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB | ${m.node} | ${m.miniflare} (${m.wrangler}) | ${load} |`);
  }
  return lines.join("\n");
}

/** @param {Record<string, any>} results @returns {string} */
export function summaryTable(results) {
  const cmd = results[SUMMARY_SOURCES.commands];
  const src = (name) => `\`${name}\` ${date(results[name])}`;
  const rows = [];
  const add = (measure, statehouse, floor, emmett, name) => rows.push(`| ${measure} | ${statehouse} | ${floor} | ${emmett} | ${src(name)} |`);

  const w1 = (system, concurrency, bytes) =>
    cmd.rows.find((x) => x.workload === "W1" && x.system === system && x.payloadBytes === bytes && (concurrency === 1 ? x.concurrency === 1 : x.concurrency !== 1));
  const small = cmd.plan.smallBytes;
  const large = cmd.plan.largeBytes;
  const seq = w1("Statehouse sb", 1, small);
  add(
    `W1 one entity, sequential, ${small} B, handler via Service Binding`,
    `${n0(seq.perSecond)} cmd/s, p50 ${f(seq.p50Ms, 1)} ms, p99 ${f(seq.p99Ms, 1)} ms`,
    `B3 ${n0(w1("B3 sb", 1, small).perSecond)}, B4X2 ${n0(w1("B4X2 sb", 1, small).perSecond)} cmd/s`,
    `${n0(w1("Emmett shared", 1, small).perSecond)} cmd/s`,
    SUMMARY_SOURCES.commands,
  );
  add(
    `W1 one entity, ${cmd.plan.w1Concurrency} in flight, ${small} B`,
    `${n0(w1("Statehouse sb", 16, small).perSecond)} cmd/s`,
    `B4X2 ${n0(w1("B4X2 sb", 16, small).perSecond)} cmd/s`,
    `${n0(w1("Emmett shared", 16, small).perSecond)} cmd/s`,
    SUMMARY_SOURCES.commands,
  );
  add(
    `W1 one entity, sequential, ${n0(large)} B`,
    `${n0(w1("Statehouse sb", 1, large).perSecond)} cmd/s`,
    `B4X2 ${n0(w1("B4X2 sb", 1, large).perSecond)} cmd/s`,
    `${n0(w1("Emmett shared", 1, large).perSecond)} cmd/s`,
    SUMMARY_SOURCES.commands,
  );
  for (const entities of cmd.plan.w2Entities) {
    const w2 = (system) =>
      ["uniform", "skewed"].map((d) => n0(cmd.rows.find((x) => x.workload === "W2" && x.system === system && x.entities === entities && x.distribution === d)?.perSecond)).join(" / ");
    add(`W2 ${n0(entities)} entities, ${cmd.plan.w2Concurrency} in flight, uniform / skewed`, `${w2("Statehouse sb")} cmd/s`, `B4X2 ${w2("B4X2 sb")}`, w2("Emmett shared"), SUMMARY_SOURCES.commands);
  }
  const scaling = (system) =>
    cmd.plan.w2ScalingEntities
      .map((e) => {
        const x = cmd.rows.find((y) => y.workload === "W2-scaling" && y.system === system && y.entities === e);
        return x === undefined ? "–" : `${n0(x.perSecond)}${x.errors ? ` (${x.errors} errors)` : ""}`;
      })
      .join(" / ");
  add(
    `W2 scaling: ${cmd.plan.w2ScalingEntities.map(n0).join(" / ")} entities, uniform, ${cmd.plan.w2Concurrency} in flight, ${n0(cmd.plan.w2ScalingCommands)} commands each (shorter runs than W2's)`,
    `${scaling("Statehouse sb")} cmd/s`,
    `B4X2 ${scaling("B4X2 sb")}`,
    "–",
    SUMMARY_SOURCES.commands,
  );
  const w3 = (system) => cmd.plan.w3Sizes.map((events) => cmd.rebuild.find((x) => x.system === system && x.events === events));
  const sh3 = w3("Statehouse (snapshots every 100)");
  const em3 = w3("Emmett default (no snapshots: replays the stream)");
  add(
    `W3 first command after eviction (p50), ${cmd.plan.w3Sizes.map((s) => `${s / 1000}K`).join(" / ")} events`,
    `${sh3.map((x) => f(x?.coldP50Ms, 1)).join(" / ")} ms (${[...new Set(sh3.map((x) => x?.rowsReadCold))].join(", ")} rows read)`,
    "–",
    `${em3.map((x) => n0(x?.coldP50Ms)).join(" / ")} ms (replays every event)`,
    SUMMARY_SOURCES.commands,
  );
  add(`workerd CPU per command (W1 sequential, ${small} B)`, `${f(seq.workerdCpuMs)} ms`, `B4X2 ${f(w1("B4X2 sb", 1, small).workerdCpuMs)} ms`, "–", SUMMARY_SOURCES.commands);
  add(`SQLite rows written per command (W1 sequential, ${small} B)`, f(seq.cost.usage.rowsWritten), f(w1("B4X2 sb", 1, small).cost.usage.rowsWritten), "–", SUMMARY_SOURCES.commands);
  add(`cost per million one-event commands (list prices in \`bench/src/cost.ts\`)`, `$${f(seq.cost.usdPerMillion)}`, "–", "–", SUMMARY_SOURCES.commands);

  const pipe = results[SUMMARY_SOURCES.pipeline];
  const lag0 = pipe.lag.filter((l) => l.batchWindowS === 0);
  const sides = (l) => Object.values(l.readSides);
  add(
    "W4 commit → read side lag, two read sides (one failing 1%) and the log, batch window 0: p50 / p99 of the worse read side",
    lag0.map((l) => `${n0(l.targetRate)} cmd/s: ${n0(Math.max(...sides(l).map((s) => s.lagP50Ms)))} / ${n0(Math.max(...sides(l).map((s) => s.lagP99Ms)))} ms`).join("; "),
    "–",
    "–",
    SUMMARY_SOURCES.pipeline,
  );
  const bad = pipe.lag.flatMap(sides).reduce((a, s) => ({ lost: a.lost + s.lost, outOfOrder: a.outOfOrder + s.outOfOrder, duplicates: a.duplicates + s.duplicates }), { lost: 0, outOfOrder: 0, duplicates: 0 });
  add("W4 events lost / out of order / duplicated, every rate and window", `${bad.lost} / ${bad.outOfOrder} / ${bad.duplicates}`, "–", "–", SUMMARY_SOURCES.pipeline);
  add(
    "W4 central store per event (partition store + D1), batch window 0: rows written / requests",
    lag0.map((l) => `${n0(l.targetRate)} cmd/s: ${f(l.central.rowsWrittenPerEvent)} / ${f(l.central.requestsPerEvent)}`).join("; "),
    "–",
    "–",
    SUMMARY_SOURCES.pipeline,
  );
  add(
    `W5 highest rate with read-side lag p99 < 2 s, ${pipe.maxRate.map((w) => w.readSides).join(" / ")} read sides`,
    `${pipe.maxRate.map((w) => n0(w.maxBoundedRate)).join(" / ")} cmd/s (p99 there: ${pipe.maxRate.map((w) => n0(w.steps.find((s) => s.targetRate === w.maxBoundedRate)?.lagP99Ms)).join(" / ")} ms)`,
    "–",
    "–",
    SUMMARY_SOURCES.pipeline,
  );
  const head = (entities, partitions, processes) => pipe.headroom.find((h) => h.entities === entities && h.partitions === partitions && h.processes === processes);
  const perBatch = [...new Set(pipe.headroom.map((h) => h.entities))];
  add(
    `one partition store's headroom, ${pipe.headroom[0].sides} read sides + the log, ${perBatch.join(" / ")} entities per batch`,
    `${perBatch.map((e) => n0(head(e, 1, 1)?.eventsPerSecond)).join(" / ")} events/s; 4 partitions in 4 processes: ${perBatch.map((e) => `${f(head(e, 4, 4)?.scaling)}×`).join(" / ")} of one (2 cores)`,
    "–",
    "–",
    SUMMARY_SOURCES.pipeline,
  );

  const arc = results[SUMMARY_SOURCES.archive].archive;
  add(
    `the log read whole, ${n0(arc.plan.events)} events, ${n0(arc.tiers.archived)} of them in R2 (pages of ${n0(arc.reads[0].events / arc.reads[0].pages)})`,
    arc.reads.map((x) => `${n0(x.eventsPerSecond)} events/s (${x.api})`).join("; "),
    "–",
    "–",
    SUMMARY_SOURCES.archive,
  );

  const subs = results[SUMMARY_SOURCES.subscribers];
  const live = subs.subscriptions.rows.filter((x) => x.subscribers > 0);
  add(
    `Subscribe, one entity, ${subs.subscriptions.rows[0].rate} cmd/s: receipt − the committer's reply, p50 / p99`,
    live.map((x) => `${n0(x.subscribers)} subscriber${x.subscribers === 1 ? "" : "s"}: ${f(x.receiptP50Ms, 1)} / ${f(x.receiptP99Ms, 1)} ms`).join("; ") +
      `; ${live.reduce((a, x) => a + x.missing, 0)} lost`,
    "–",
    "–",
    SUMMARY_SOURCES.subscribers,
  );
  const ls = results[SUMMARY_SOURCES.logStream].logStream;
  add(
    `log stream (SubscribeAll, \`GET /api/v1/log/stream\`), ${ls[0].entities} entities: commit → receipt and append → receipt, p50 / p99`,
    ls.map((x) => `${n0(x.rate)} cmd/s: ${n0(x.commitP50Ms)} / ${n0(x.commitP99Ms)} ms and ${n0(x.appendP50Ms)} / ${n0(x.appendP99Ms)} ms, ${n0(x.received)} of ${n0(x.commits)} received`).join("; "),
    "–",
    "–",
    SUMMARY_SOURCES.logStream,
  );
  return ["| measure | Statehouse | floor (same run) | Emmett (shared connection) | result file, date |", "| --- | --: | --: | --: | --- |", ...rows].join("\n");
}
