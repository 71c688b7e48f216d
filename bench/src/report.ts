// Turns the results into the printed Markdown tables and the SVG chart.
import type { Row } from "./measure.js";
import type { RebuildRow } from "./workloads.js";
import { headroomTable, lagTables, maxRateTable, targetsTable } from "./report-readside.js";
import { f, n0 } from "./format.js";
import type { S1Result, S2Row, S3Row } from "./streams.js";
import type { StreamCost } from "./cost.js";
import { renderSvg, type Panel } from "./chart.js";
import type { Results } from "./main.js";
import type { LogSummary } from "./worker-logs.js";
import { archiveSection } from "./report-archive.js";


/** Markdown and SVG for a run. */
export function renderReport(r: Results): { markdown: string; svg: string } {
  const md: string[] = [];
  const m = r.machine;
  md.push(`Run: ${r.mode}, ${r.startedAt}, ${f(r.durationS, 0)} s. Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, miniflare ${m.miniflare} (wrangler ${m.wrangler})${m.emmett ? `, emmett-sqlite ${m.emmett}` : ""}.`, "");

  for (const size of [r.plan.smallBytes, r.plan.largeBytes]) {
    const w1 = r.rows.filter((x) => x.workload === "W1" && x.payloadBytes === size);
    if (w1.length === 0) continue;
    md.push(`### W1 — one entity, ${size} B payload`, "");
    md.push("| system | 1 in flight: cmd/s | p50 ms | p99 ms | " + `${r.plan.w1Concurrency} in flight: cmd/s | p50 ms | p99 ms | workerd CPU ms/cmd | SQLite rows written / read per cmd | Queue msgs/cmd | $/M cmds |`);
    md.push("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (const name of unique(w1.map((x) => x.system))) {
      const seq = w1.find((x) => x.system === name && x.concurrency === 1);
      const con = w1.find((x) => x.system === name && x.concurrency !== 1);
      const c = seq?.cost;
      md.push(`| ${name} | ${n0(seq?.perSecond)} | ${f(seq?.p50Ms)} | ${f(seq?.p99Ms)} | ${n0(con?.perSecond)} | ${f(con?.p50Ms)} | ${f(con?.p99Ms)} | ${f(seq?.workerdCpuMs, 3)} | ${c ? `${f(c.usage.rowsWritten)} / ${f(c.usage.rowsRead)}` : "–"} | ${c ? f(c.usage.queueMessages) : "–"} | ${c ? f(c.usdPerMillion) : "–"} |`);
    }
    md.push("");
    md.push(...ratios(w1), "");
  }

  const w2 = r.rows.filter((x) => x.workload === "W2");
  if (w2.length > 0) {
    md.push(`### W2 — many entities, ${r.plan.w2Concurrency} in flight, ${r.plan.smallBytes} B`, "");
    md.push("| entities | distribution | system | commands | errors | cmd/s | p50 ms | p99 ms | workerd CPU ms/cmd | rows written / read per cmd | Queue msgs/cmd | $/M cmds |");
    md.push("|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (const x of w2) {
      const c = x.cost;
      md.push(`| ${x.entities} | ${x.distribution} | ${x.system} | ${n0(x.commands)} | ${x.errors} | ${n0(x.perSecond)} | ${f(x.p50Ms)} | ${f(x.p99Ms)} | ${f(x.workerdCpuMs, 3)} | ${c ? `${f(c.usage.rowsWritten)} / ${f(c.usage.rowsRead)}` : "–"} | ${c ? f(c.usage.queueMessages) : "–"} | ${c ? f(c.usdPerMillion) : "–"} |`);
    }
    md.push("");
  }
  const sc = r.rows.filter((x) => x.workload === "W2-scaling");
  if (sc.length > 0) {
    const ents = unique(sc.map((x) => String(x.entities)));
    md.push(`### W2 scaling — aggregate cmd/s by number of entities (uniform, ${r.plan.w2Concurrency} in flight)`, "");
    md.push(`| system | ${ents.map((e) => `${e} entit${e === "1" ? "y" : "ies"}`).join(" | ")} |`);
    md.push(`|---|${ents.map(() => "--:").join("|")}|`);
    for (const name of unique(sc.map((x) => x.system))) {
      md.push(`| ${name} | ${ents.map((e) => {
        const x = sc.find((y) => y.system === name && String(y.entities) === e);
        return x === undefined ? "–" : `${n0(x.perSecond)}${x.errors ? ` (${x.errors} errors)` : ""}`;
      }).join(" | ")} |`);
    }
    md.push("");
  }
  if (r.rebuild.length > 0) md.push(...rebuildTable(r.rebuild), "");
  if (r.loadAverages !== undefined && r.loadAverages.length > 0) md.push(`Load averages (1, 5, 15 min): ${r.loadAverages.join("; ")}.`, "");
  const targets = targetsTable(r);
  if (targets.length > 0) md.push(...targets, "");
  if (r.rows.length > 0 || Array.isArray(r.lag) || (r.subscriptions === undefined && r.archive === undefined)) md.push(...lagTables(r.lag), "");
  // An archive-only run has no W5 to say "not run" about.
  if (r.maxRate !== undefined && (Array.isArray(r.maxRate) || r.archive === undefined)) md.push(...maxRateTable(r.maxRate, r), "");
  if (r.headroom !== undefined) md.push(...headroomTable(r.headroom), "");
  if (r.subscriptions !== undefined) md.push(...s1Table(r.subscriptions, r), "");
  if (r.logStream !== undefined) md.push(...s2Table(r.logStream), "");
  if (r.logRows !== undefined) md.push(...s3Table(r.logRows), "");
  if (r.streamCost !== undefined) md.push(...streamCostTable(r.streamCost, r), "");
  if (r.archive !== undefined) md.push(...archiveSection(r.archive), "");
  if (r.paired !== undefined) {
    md.push("### Command path, paired (one command at a time, alternating between the two, each on its own entity)", "");
    md.push("| A | B | payload B | pairs | A p50 ms | B p50 ms | median of A − B ms |", "|---|---|--:|--:|--:|--:|--:|");
    for (const x of r.paired) md.push(`| ${x.a} | ${x.b} | ${x.payloadBytes} | ${x.pairs} | ${f(x.aP50Ms, 3)} | ${f(x.bP50Ms, 3)} | ${f(x.diffP50Ms, 3)} |`);
    md.push("");
  }
  const cost = costTable(r);
  if (cost.length > 4) md.push(...cost, "");
  if (r.workerLogs !== undefined) md.push(...logsSection(r.workerLogs), "");

  const seqSmall = r.rows.filter((x) => x.workload === "W1" && x.payloadBytes === r.plan.smallBytes && x.concurrency === 1 && !x.system.startsWith("B0"));
  const conSmall = r.rows.filter((x) => x.workload === "W1" && x.payloadBytes === r.plan.smallBytes && x.concurrency !== 1);
  const w2u = w2.filter((x) => x.distribution === "uniform");
  const panels: Panel[] = [
    { title: "W1 one entity, one command at a time (100 B)", unit: "cmd/s", bars: seqSmall.map((x) => ({ label: x.system, value: x.perSecond, group: x.group })) },
    { title: `W1 one entity, ${r.plan.w1Concurrency} in flight (100 B)`, unit: "cmd/s", bars: conSmall.map((x) => ({ label: x.system, value: x.perSecond, group: x.group })) },
    { title: `W2 ${r.plan.w2Concurrency} in flight, uniform`, unit: "cmd/s", bars: w2u.map((x) => ({ label: `${x.system}, ${x.entities} entities`, value: x.perSecond, group: x.group })) },
    {
      title: "W3 first command after eviction (p50)",
      unit: "ms",
      bars: r.rebuild.map((x) => ({ label: `${x.system.replace(/ \(.*/, "")} ${x.snapshots ? "snap" : "no snap"}, ${x.events.toLocaleString("en-US")} ev`, value: x.coldP50Ms, group: x.system.startsWith("Emmett") ? "peer" : "statehouse" })),
    },
  ].filter((p) => p.bars.length > 0);
  const svg = renderSvg(
    `Statehouse bench (${r.mode}) — ladder (grey), Statehouse (orange), Emmett peer (blue)`,
    `${r.startedAt} · ${m.cpus} × ${m.cpuModel} · Node ${m.node} · miniflare ${m.miniflare}`,
    panels,
  );
  return { markdown: `${md.join("\n")}\n`, svg };
}

function ratios(w1: Row[]): string[] {
  const get = (name: string, seq: boolean) => w1.find((x) => x.system === name && (x.concurrency === 1) === seq)?.perSecond;
  const cpu = (name: string, seq: boolean) => w1.find((x) => x.system === name && (x.concurrency === 1) === seq)?.workerdCpuMs;
  const out: string[] = ["| ratio | cmd/s, 1 in flight | cmd/s, concurrent | workerd CPU/cmd, 1 in flight | CPU/cmd, concurrent |", "|---|--:|--:|--:|--:|"];
  const pairs: [string, string][] = [
    ["Statehouse sb", "B3 sb"],
    ["Statehouse sb", "B3X2 sb"],
    ["Statehouse sb", "B4 sb"],
    ["Statehouse sb", "B4X2 sb"],
    ["Statehouse http", "B3 http"],
    ["Statehouse http", "B4X2 http"],
    ["Statehouse sb (Connect router)", "B4X2 sb"],
    ["Statehouse sb", "Statehouse sb (Connect router)"],
    ["Statehouse sb", "Emmett default"],
    ["Statehouse sb", "Emmett shared"],
  ];
  for (const [a, b] of pairs) {
    const ratio = (x: number | undefined, y: number | undefined) => (x !== undefined && y !== undefined && y > 0 ? `${(x / y).toFixed(2)}×` : "–");
    const s = [true, false].map((seq) => ratio(get(a, seq), get(b, seq)));
    const c = b.startsWith("Emmett") ? ["–", "–"] : [true, false].map((seq) => ratio(cpu(a, seq), cpu(b, seq)));
    if (s.some((v) => v !== "–")) out.push(`| ${a} / ${b} | ${s[0]} | ${s[1]} | ${c[0]} | ${c[1]} |`);
  }
  return out;
}

function rebuildTable(rows: RebuildRow[]): string[] {
  const out = [
    "### W3 — first command after the object is evicted",
    "",
    "| system | events | cold p50 ms | cold max ms | warm p50 ms | rows read by the restarted object (all statements) | Statehouse's own rowCounts | repeats |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const x of rows) {
    out.push(`| ${x.system} | ${n0(x.events)} | ${f(x.coldP50Ms)} | ${f(x.coldMaxMs)} | ${f(x.warmP50Ms)} | ${x.system.startsWith("Emmett") ? `${n0(x.rowsReadCold)} events replayed` : n0(x.rowsReadCold)} | ${x.rowsReadColdStatehouse ?? "–"} | ${x.repeats} |`);
  }
  return out;
}

function costTable(r: Results): string[] {
  const rows = r.rows.filter((x) => x.group === "statehouse" && x.cost !== undefined && !x.system.includes("no front door"));
  const out = [
    `### Cost per command (Statehouse; prices: ${r.prices.asOf})`,
    "",
    "| workload | system | in flight | payload B | entities | Worker req | DO req | rows written | rows read | Queue msgs | workerd CPU ms | $ / M cmds | of which rows written |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const x of rows) {
    const c = x.cost!;
    out.push(`| ${x.workload}${x.distribution ? ` ${x.distribution}` : ""} | ${x.system} | ${x.concurrency} | ${x.payloadBytes} | ${x.entities} | ${f(c.usage.workerRequests)} | ${f(c.usage.doRequests, 3)} | ${f(c.usage.rowsWritten, 3)} | ${f(c.usage.rowsRead, 3)} | ${f(c.usage.queueMessages, 3)} | ${f(c.usage.cpuMs, 3)} | ${f(c.usdPerMillion)} | ${f(c.lines.rowsWritten)} |`);
  }
  return out;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function s1Table(s: S1Result, r: Results): string[] {
  const p = r.plan;
  const out = [
    `### S1 — one entity, N subscribers (SSE from the Node client), ${p.s1Rate} cmd/s for ${p.s1Seconds} s`,
    "",
    "Receipt = when the event's SSE chunk reached the client − when the command's reply did, signed (negative: the subscriber had the event before the committing client had its reply; the share is given). Send → receipt is from the command's send. Every subscriber is its own connection; with many, receipt includes the client reading the others' copies first. Idle = the streams open, no commands, for the idle window.",
    "",
    "| subscribers (live) | open p50 / max ms | DO requests per open | commands | deliveries received / expected | missing / dup / out of order | receipt − reply p50 ms | p99 ms | before reply | send → receipt p50 / p99 ms | command p50 ms | workerd CPU ms/cmd | idle workerd CPU ms/s | idle DO requests |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const x of s.rows) {
    const open = x.subscribers === 0 ? "–" : `${f(x.openP50Ms, 1)} / ${f(x.openMaxMs, 0)}`;
    const fails = x.openFailures > 0 ? ` (${x.openFailures} failed: ${x.firstOpenError ?? "?"})` : "";
    out.push(
      `| ${x.subscribers}${x.subscribers > 0 ? ` (${x.live})` : ""}${fails} | ${open} | ${x.subscribers === 0 ? "–" : f(x.doRequestsPerOpen)} | ${x.commands} | ${x.subscribers === 0 ? "–" : `${n0(x.received)} / ${n0(x.deliveries)}`} | ${x.subscribers === 0 ? "–" : `${x.missing} / ${x.duplicates} / ${x.outOfOrder}`} | ${f(x.receiptP50Ms)} | ${f(x.receiptP99Ms)} | ${x.subscribers === 0 ? "–" : `${f(x.beforeReplyShare * 100, 0)}%`} | ${x.subscribers === 0 ? "–" : `${f(x.sendToReceiptP50Ms)} / ${f(x.sendToReceiptP99Ms)}`} | ${f(x.commandP50Ms)} | ${f(x.workerdCpuMsPerCommand)} | ${f(x.idleWorkerdCpuMsPerS)} | ${x.idleDoRequests} |`,
    );
  }
  const per = Object.entries(s.cpuMsPerDelivery).map(([n, v]) => `${n} subscribers: ${f(v, 3)} ms`).join("; ");
  if (per) out.push("", `workerd CPU per delivered event (above the no-subscriber baseline, divided by the subscribers; N ≥ 100 only, /proc counts 10 ms ticks): ${per}.`);
  return out;
}

function s2Table(rows: S2Row[]): string[] {
  const out = [
    "### S2 — the global log's live stream (GET /api/v1/log/stream) while commands commit over many entities",
    "",
    "Append → receipt = receipt at the client − the entry's appended_at (the partition's clock at its commit); commit → receipt = receipt − the command's reply (clamped at 0). Central store = the partition store's rows (every statement's rowsWritten) + D1's meta.rows_written.",
    "",
    "| offered cmd/s | entities | readers | committed | commits | received / missing / dup / out of order | append → receipt p50 / p99 ms | commit → receipt p50 / p99 ms | drain s | batches | events/entity/batch | LogHub publishes/event | central-store rows written/event (entity rows + log segments + other + D1) | workerd CPU ms/cmd |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const x of rows) {
    const c = x.central;
    const other = c.split.newEntityRows + c.split.failingParked + c.split.otherPartition;
    out.push(
      `| ${x.rate} | ${x.entities} | ${x.subscribers} | ${n0(x.committedRate)}/s | ${n0(x.commits)}${x.commandErrors ? ` (${x.commandErrors} failed: ${x.firstCommandError ?? "?"})` : ""} | ${n0(x.received)} / ${x.missing} / ${x.duplicates} / ${x.outOfOrder} | ${f(x.appendP50Ms, 0)} / ${f(x.appendP99Ms, 0)} | ${f(x.commitP50Ms, 0)} / ${f(x.commitP99Ms, 0)} | ${f(x.drainS, 1)} | ${n0(x.batches)} | ${f(x.eventsPerEntityPerBatch)} | ${f(x.logPublishesPerEvent, 3)} | ${f(c.rowsWrittenPerEvent, 3)} (${f(c.split.entityRows, 3)} + ${f(c.split.logSegments, 3)} + ${f(other, 3)} + ${f(c.split.d1, 3)}) | ${f(x.workerdCpuMsPerCommand)} |`,
    );
  }
  return out;
}

function s3Table(rows: S3Row[]): string[] {
  const out = [
    `### S3 — the log's central-store rows written per event (target ${rows[0]?.target ?? 1}), by what writes them`,
    "",
    "The `$log` read side alone (no user read side). Entities are warmed with one event each first (their index rows are not in the window). Entity rows = p_entity rows a commit writes (the `$log` cursor and the index head: one per entity per consumer batch); log segments = log_segment rows (one per batch) and the log's other tables; partition rows from every statement's rowsWritten, D1 rows from meta.rows_written.",
    "",
    "| cmd/s | entities | commits | batches | events/entity/batch | entity rows/event | new-entity rows/event | log segment rows/event | failing/parked rows/event | other partition rows/event | D1 rows/event | all rows written/event | rows read/event | store requests/event | partition SQL statements/event | log rows ≤ target | all ≤ target |",
    "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
  ];
  for (const x of rows) {
    const c = x.central;
    const sp = c.split;
    out.push(
      `| ${x.rate} | ${x.entities} | ${n0(x.commits)} | ${n0(x.batches)} | ${f(x.eventsPerEntityPerBatch)} | ${f(sp.entityRows, 3)} | ${f(sp.newEntityRows, 3)} | ${f(sp.logSegments, 3)} | ${f(sp.failingParked, 3)} | ${f(sp.otherPartition, 3)} | ${f(sp.d1, 4)} | ${f(c.rowsWrittenPerEvent, 3)} | ${f(c.rowsReadPerEvent, 2)} | ${f(c.requestsPerEvent, 3)} | ${f(c.partitionStatementsPerEvent, 2)} | ${x.logRowsMet ? "yes" : "no"} | ${x.allRowsMet ? "yes" : "no"} |`,
    );
  }
  return out;
}

function streamCostTable(c: StreamCost, r: Results): string[] {
  const out = [`### Stream cost (prices: ${r.prices.asOf}; checked ${(r.prices as { checked?: string }).checked ?? "–"})`, ""];
  const e = Object.entries(c.perMillionEntityDeliveries);
  if (e.length > 0) {
    out.push("| per million events delivered to entity subscribers, at N subscribers | workerd CPU ms/delivery | Worker CPU $ | same CPU as DO duration $ (upper bound) | DO requests $ | total $ |", "|---|--:|--:|--:|--:|--:|");
    for (const [n, v] of e) out.push(`| ${n} | ${f(v.cpuMs, 4)} | ${f(v.workerCpu, 4)} | ${f(v.doDurationUpperBound, 4)} | ${f(v.doRequests)} | ${f(v.total, 4)} |`);
    out.push("");
  }
  if (c.perMillionOpens) out.push(`Per million stream opens: $${f(c.perMillionOpens.total)} (Worker request $${f(c.perMillionOpens.workerRequests)}, DO requests $${f(c.perMillionOpens.doRequests)}).`, "");
  const i = Object.entries(c.perIdleSubscriberHour);
  if (i.length > 0) {
    out.push("| idle subscriber-hour, at N subscribers | workerd CPU ms per subscriber-hour (above baseline) | $ per subscriber-hour | $ per million subscriber-hours |", "|---|--:|--:|--:|");
    for (const [n, v] of i) out.push(`| ${n} | ${f(v.cpuMs, 1)} | ${v.usd.toExponential(2)} | ${f(v.usdPerMillionHours, 3)} |`);
    out.push("");
  }
  const l = c.perMillionLogDeliveries;
  if (l) {
    out.push(`Per million events through the log to one reader (S2's step): $${f(l.total)} = rows written (partition store + D1) $${f(l.rowsWritten)} + rows read $${f(l.rowsRead, 4)} + partition store requests $${f(l.storeRequests, 4)} + LogHub requests $${f(l.logHubRequests, 4)}${l.cpu !== undefined ? ` + workerd CPU above S1's no-stream baseline $${f(l.cpu, 4)} (${f(l.cpuMsPerEvent, 3)} ms/event, rough: different rate and entity count)` : ""}.`);
  }
  return out;
}

function logsSection(l: LogSummary): string[] {
  const out = ["### Worker logs", ""];
  out.push(
    `Statehouse's \`"level":"error"\` lines: ${l.errors.length} unexpected${l.errors.length > 0 ? " (the run FAILED)" : ""}, ${l.expectedErrors.length} caused on purpose; workerd error lines that are not Statehouse's: ${l.runtimeErrors.length}.`,
  );
  for (const e of [...l.errors, ...l.runtimeErrors].slice(0, 20)) out.push(`- [${e.phase}] \`${e.line.slice(0, 300).replace(/`/g, "'")}\``);
  for (const e of l.expectedErrors.slice(0, 5)) out.push(`- expected [${e.phase}] (${e.why}): \`${e.line.slice(0, 200).replace(/`/g, "'")}\``);
  const w = Object.entries(l.warnings).sort((a, b) => b[1] - a[1]);
  if (w.length > 0) out.push("", `Warnings (words with digits masked): ${w.map(([m, n]) => `${n} × "${m.slice(0, 160)}"`).join("; ")}.`);
  return out;
}
