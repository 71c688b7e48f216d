// The archive step's section of the report: the build, the tiers, whole and filtered reads, R2's operations and their cost.
import type { ArchiveResult } from "./archive.js";
import { f, n0 } from "./format.js";

/** Targets of "A log that outgrows a database" the step measures. */
const READ_TARGET_EVENTS_PER_S = 20_000;

export function archiveSection(a: ArchiveResult): string[] {
  const p = a.plan;
  const t = a.tiers;
  const out = [`### Archive — a log of ${n0(a.build.events)} events, ${n0(t.archived)} of them in R2 (LOG_ARCHIVE)`, ""];
  if (a.build.events < p.events) out.push(`**Built ${n0(a.build.events)} of the ${n0(p.events)} events planned: the build stopped at its ${p.buildLimitS} s limit.**`, "");
  out.push(
    `One Statehouse Worker (\`sh-arc\`, one partition) with an R2 bucket bound as \`LOG_ARCHIVE\` (Miniflare's, persisted on disk), \`STATEHOUSE_LOG_HOT_ENTRIES=${p.hotEntries}\`, \`STATEHOUSE_LOG_HOT_MAX_ENTRIES=${p.hotMaxEntries}\`. ` +
      `The log is built through the queue consumer's own two calls to the partition store (\`load\`, then \`commit\` moving each entity's \`$log\` cursor and appending its events: the log's segments, entity rows, and the archiving the commit arms in the partition's alarm are Statehouse's own), ` +
      `${p.entities} entities × ${p.perEntity} events per batch (one segment of ${n0(p.entities * p.perEntity)} entries), ~100 B protobuf payloads, types \`bench.v1.Type0\`…\`Type9\` in turn by offset (so every archive object holds every type: a filtered read can skip none). ` +
      `The builder asks for the hot count before each batch and sleeps while the store is at its cap, so no commit holds the log.`,
    "",
  );
  out.push("| build | value |", "|---|--:|");
  out.push(`| events built | ${n0(a.build.events)} in ${n0(a.build.batches)} batches |`);
  out.push(`| wall time | ${f(a.build.seconds, 1)} s (${n0(a.build.eventsPerSecond)} events/s) |`);
  out.push(`| of which awaiting loads / commits / the hot count before each batch (logTiers) | ${f(a.build.loadS, 1)} / ${f(a.build.commitS, 1)} / ${f(a.build.tiersS, 1)} s (the object serves one call at a time: archiving in its alarm delays them) |`);
  out.push(`| batches that found the store at its cap, and the time slept until archiving made room | ${a.build.waits}, ${f(a.build.capWaitS, 1)} s |`);
  out.push(`| archiving still running after the build | ${f(a.drain.seconds, 1)} s${a.drain.timedOut ? " (TIMED OUT)" : ""} |`);
  out.push(`| hot entries once archiving was done (logTiers) | **${n0(t.hot)}** (window ${n0(t.hotEntriesSetting)}, cap ${n0(t.hotMaxEntriesSetting)}; ${t.withinWindow ? "within the window" : "ABOVE the window"}) |`);
  out.push(`| hot entries at most (the builder's logTiers before each batch) | ${n0(a.hotPeak)} |`);
  out.push(`| offsets | first ${n0(t.first)}, archived ${n0(t.first)}–${n0(t.hotFirst - 1)}, hot ${n0(t.hotFirst)}–${n0(t.head)} |`);
  out.push(`| archive objects (listed by Miniflare) | ${n0(a.bucket.objects)}, ${n0(a.bucket.bytes)} B (${f(a.bucket.bytesPerEvent, 1)} B per archived event; objects of at most ${n0(t.objectEntries)} entries) |`);
  out.push(`| R2 calls while building and archiving (counted at the binding) | Class A ${n0(a.r2Build.classA)}, Class B ${n0(a.r2Build.classB)}; ${Object.entries(a.r2Build.byMethod).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}; ${n0(a.r2Build.bytesPut)} B put |`);
  out.push(`| partition store while building and archiving | requests ${Object.entries(a.partitionBuild.requests).map(([k, v]) => `${k} ${n0(v)}`).join(", ")}; ${n0(a.partitionBuild.sqlStatements)} SQL statements, ${n0(a.partitionBuild.rowsWritten)} rows written, ${n0(a.partitionBuild.rowsRead)} read |`);
  out.push("");

  out.push(`Whole log, offsets ${n0(t.first)}–${n0(t.head)}, pages of ${n0(1000)} (the largest either API allows), one client request at a time. Target: ≥ ${n0(READ_TARGET_EVENTS_PER_S)} events/s.`, "");
  out.push("| API | events | pages | s | events/s | pages from the archive: events/s | hot pages: events/s | page p50 / p99 ms | R2 gets | workerd CPU s | client CPU s | every offset once, in order | target |");
  out.push("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|");
  for (const r of a.reads) {
    out.push(
      `| ${r.api} | ${n0(r.events)} | ${n0(r.pages)} | ${f(r.seconds, 1)} | ${n0(r.eventsPerSecond)} | ${n0(r.archive.eventsPerSecond)} | ${n0(r.hot.eventsPerSecond)} | ${f(r.pageP50Ms, 1)} / ${f(r.pageP99Ms, 1)} | ${n0(r.r2Gets)} | ${f(r.workerdCpuS, 1)} | ${f(r.clientCpuS, 1)} | ${r.complete ? "yes" : `NO: ${r.problems.join("; ")}${r.timedOut ? " (time limit)" : ""}`} | ${r.eventsPerSecond >= READ_TARGET_EVENTS_PER_S ? "met" : "missed"} |`,
    );
  }
  out.push("");

  out.push(`Filtered by \`${a.filtered[0]?.type ?? p.filterType}\` (10% of entries) over ${n0(a.filtered[0] === undefined ? 0 : a.filtered[0].to - a.filtered[0].from + 1)} offsets of each tier, ${p.filterRounds} rounds alternating which tier goes first (median). A filtered page examines up to 5,000 offsets. Archive objects read in each round are not in the partition's two-object cache (cold). Target: the archive as fast as hot.`, "");
  out.push("| API | tier | offsets | matches | pages | s (median) | matching events/s | offsets/s | each round s | R2 gets per round | archive ÷ hot |");
  out.push("|---|---|---|--:|--:|--:|--:|--:|---|--:|--:|");
  for (const r of a.filtered) {
    const hot = a.filtered.find((x) => x.api === r.api && x.tier === "hot");
    const ratio = r.tier === "archive" && hot !== undefined ? `${f(r.matchesPerSecond / hot.matchesPerSecond)}×` : "";
    out.push(`| ${r.api} | ${r.tier} | ${n0(r.from)}–${n0(r.to)} | ${n0(r.matches)} | ${r.pagesPerRound} | ${f(r.seconds, 3)} | ${n0(r.matchesPerSecond)} | ${n0(r.offsetsPerSecond)} | ${r.secondsEachRound.map((s) => f(s, 3)).join(", ")} | ${f(r.r2GetsPerRound, 1)} | ${ratio} |`);
  }
  out.push("");

  const c = a.cost;
  out.push(`#### Archive cost per million events (R2 Standard: $${c.prices.r2ClassAPerM}/M Class A, $${c.prices.r2ClassBPerM}/M Class B, $${c.prices.r2StoragePerGbMonth}/GB-month, GB = ${c.prices.gb})`, "");
  out.push("Counted at the `LOG_ARCHIVE` binding (`workers/r2-counter.ts`), per million archived events.", "");
  out.push("| item | operations or GB per million events | $ per million events |", "|---|--:|--:|");
  out.push(`| archiving (Class A: puts${a.r2Build.byMethod.list ? ", lists" : ""}) | ${f(c.classAPerMillionEvents, 1)} | ${c.archiveUsd.toExponential(2)} |`);
  out.push(`| one read of the whole log (Class B: gets) | ${f(c.classBPerMillionEventsPerRead, 1)} | ${c.readUsd.toExponential(2)} |`);
  out.push(`| storage, per month kept | ${f(c.gbPerMillionEvents, 5)} GB | ${c.storageUsdPerMonth.toExponential(2)} per month |`);
  out.push(`| R2 calls during every read of this step (whole and filtered) | Class A ${n0(a.r2Reads.classA)}, Class B ${n0(a.r2Reads.classB)}, ${n0(a.r2Reads.bytesGot)} B got | |`);
  return out;
}
