// Compressed bytes per archived log entry: builds archive objects with the log's own encoder
// (src/eventlog/segment-codec.ts encodeArchive) and gzip (src/eventlog/log-archive.ts), for three
// kinds of event payload, and writes bench/sim/results/archive-bytes.json.
// Run: node bench/sim/run.mjs --archive   (bundles this file with the repo's esbuild first)
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, StructSchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { encodeArchive } from "../../src/eventlog/segment-codec.js";
import { gzip } from "../../src/eventlog/log-archive.js";
import type { LogEntry } from "../../src/eventlog/log-types.js";

/** A deterministic PRNG, so every run measures the same bytes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = "bench" | "json" | "random";

/** The event's Any: the bench's payload (100 × "a"), a small JSON document as google.protobuf.Struct, or 100 random bytes. */
function eventOf(kind: Kind, rand: () => number, revision: number): Uint8Array {
  if (kind === "bench") {
    return toBinary(AnySchema, create(AnySchema, { typeUrl: "type.googleapis.com/bench.v1.Payload", value: new Uint8Array(100).fill(0x61) }));
  }
  if (kind === "random") {
    const value = new Uint8Array(100);
    for (let i = 0; i < value.length; i++) value[i] = Math.floor(rand() * 256);
    return toBinary(AnySchema, create(AnySchema, { typeUrl: "type.googleapis.com/bench.v1.Payload", value }));
  }
  const doc = {
    type: ["deposited", "withdrawn", "renamed"][Math.floor(rand() * 3)],
    amount: Math.round(rand() * 1_000_000) / 100,
    currency: "EUR",
    reference: `ref-${Math.floor(rand() * 1e9).toString(36)}`,
    sequence: revision,
  };
  const struct = create(StructSchema, {
    fields: Object.fromEntries(
      Object.entries(doc).map(([k, v]) => [k, { kind: typeof v === "number" ? { case: "numberValue" as const, value: v } : { case: "stringValue" as const, value: v } }]),
    ),
  });
  return toBinary(AnySchema, create(AnySchema, { typeUrl: "type.googleapis.com/google.protobuf.Struct", value: toBinary(StructSchema, struct) }));
}

/** `count` consecutive entries over `entities` entities (round robin with a random pick), 2 ms apart. */
function entries(kind: Kind, count: number, entities: number, seed: number): LogEntry[] {
  const rand = rng(seed);
  const revisions = new Map<string, number>();
  const t0 = Date.UTC(2026, 11, 7);
  const out: LogEntry[] = [];
  for (let i = 0; i < count; i++) {
    const entityId = `acct-${Math.floor(rand() * entities).toString().padStart(7, "0")}`;
    const revision = (revisions.get(entityId) ?? 0) + 1;
    revisions.set(entityId, revision);
    const at = t0 + i * 2;
    const meta = toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: revision, revisionDate: timestampFromMs(at) }));
    out.push({ partition: 0, offset: i + 1, entityId, revision, eventType: kind === "json" ? "google.protobuf.Struct" : "bench.v1.Payload", event: eventOf(kind, rand, revision), meta, state: undefined, appendedAt: at });
  }
  return out;
}

async function main(): Promise<void> {
  const OBJECT_ENTRIES = 10_000;
  const rows = [];
  for (const kind of ["bench", "json", "random"] as const) {
    for (const entities of [100, 1_000_000]) {
      const es = entries(kind, OBJECT_ENTRIES, entities, 42);
      const raw = encodeArchive(es);
      const gz = await gzip(raw);
      const eventBytes = es.reduce((n, e) => n + (e.event?.length ?? 0), 0) / es.length;
      rows.push({
        payload: kind,
        entities,
        entries: es.length,
        eventAnyBytesPerEntry: Math.round(eventBytes * 10) / 10,
        rawBytes: raw.length,
        gzipBytes: gz.length,
        rawBytesPerEntry: Math.round((raw.length / es.length) * 10) / 10,
        gzipBytesPerEntry: Math.round((gz.length / es.length) * 10) / 10,
        ratio: Math.round((raw.length / gz.length) * 100) / 100,
      });
    }
  }
  const out = {
    what: "bytes per archived log entry: encodeArchive (src/eventlog/segment-codec.ts) of 10,000 consecutive entries, then gzip (src/eventlog/log-archive.ts, CompressionStream)",
    states: "not kept (STATEHOUSE_LOG_STATES=false, the default)",
    node: process.version,
    measuredAt: new Date().toISOString(),
    loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
    rows,
  };
  writeFileSync(new URL("./results/archive-bytes.json", import.meta.url.replace("/.build/", "/")), JSON.stringify(out, null, 2) + "\n");
  console.table(rows);
}

await main();
