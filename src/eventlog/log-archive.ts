// A partition's older log segments in object storage (R2): one gzip-compressed LogFeedMessage per archive object, indexed in the partition's SQLite.
import { StatehouseError } from "../errors.js";
import type { LogEntry, LogRetention } from "./log-types.js";
import { decodeSegment, encodeArchive } from "./segment-codec.js";
import type { SegmentStore } from "./segment-store.js";

/** The archive's index (idempotent): one row per archive object, so a read finds its object without listing the bucket. */
export const ARCHIVE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS log_archive (
     first_offset INTEGER PRIMARY KEY,
     last_offset INTEGER NOT NULL,
     appended_at INTEGER NOT NULL,
     types TEXT NOT NULL,
     object TEXT NOT NULL,
     bytes INTEGER NOT NULL)`,
  // Objects being put: a row outlives its put only when the index row never came (a crash), and the next run deletes that object.
  `CREATE TABLE IF NOT EXISTS log_archive_pending (object TEXT PRIMARY KEY) WITHOUT ROWID`,
] as const;

/** Where archive objects go: an R2 bucket, or anything with the same three calls. */
export interface ArchiveBucket {
  put(key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes; undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  delete(keys: string[]): Promise<void>;
}

/** How much goes into one archive object, and how much stays hot. */
export interface ArchivePolicy {
  /** Entries the partition keeps in its own store; older segments are archived. */
  hotEntries: number;
  /** Entries one archive object holds at most (it may hold fewer: whole segments only). */
  objectEntries: number;
  /** Payload bytes one archive object holds at most, before compression. */
  objectBytes: number;
}

/** One archive object as the index holds it. */
export interface ArchivedObject {
  first: number;
  last: number;
  appendedAt: number;
  types: string[];
  key: string;
  bytes: number;
}

/** The name of an archive object: the partition and its offsets, zero-padded so names sort by offset. */
export function archiveKey(partition: number, first: number, last: number): string {
  const pad = (n: number) => String(n).padStart(16, "0");
  return `log/p${partition}/${pad(first)}-${pad(last)}.binpb.gz`;
}

/** Compresses with gzip (the runtime's CompressionStream: a format every tool reads). */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

/** Decompresses gzip. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
}

/** Reads the archive index. */
export function archivedObjects(sql: SqlStorage, opts: { from?: number; type?: string; limit: number }): ArchivedObject[] {
  const typeFilter = opts.type === undefined ? "" : "AND EXISTS (SELECT 1 FROM json_each(types) WHERE value GLOB ?3)";
  const params: (number | string)[] = [opts.from ?? 0, opts.limit];
  if (opts.type !== undefined) params.push(opts.type);
  return sql
    .exec<{ first_offset: number; last_offset: number; appended_at: number; types: string; object: string; bytes: number }>(
      `SELECT * FROM log_archive WHERE last_offset >= ?1 ${typeFilter} ORDER BY first_offset LIMIT ?2`,
      ...params,
    )
    .toArray()
    .map((r) => ({ first: r.first_offset, last: r.last_offset, appendedAt: r.appended_at, types: JSON.parse(r.types) as string[], key: r.object, bytes: r.bytes }));
}

/** The archive's oldest and newest offsets (undefined when nothing is archived). */
export function archiveBounds(sql: SqlStorage): { first: number; last: number } | undefined {
  const row = sql.exec<{ f: number | null; l: number | null }>("SELECT min(first_offset) AS f, max(last_offset) AS l FROM log_archive").one();
  return row.f === null || row.l === null ? undefined : { first: row.f, last: row.l };
}

/**
 * Chooses the oldest hot segments to archive now: whole segments, oldest first, never the
 * newest, leaving at least `policy.hotEntries` entries hot, within one object's bounds. Undefined
 * when fewer are due than one object's worth (`minEntries` lets a caller archive a short tail).
 */
export function dueForArchive(segments: SegmentStore, head: number, policy: ArchivePolicy, minEntries = policy.objectEntries): { first: number; last: number; firstOffsets: number[]; types: string[]; appendedAt: number } | undefined {
  const candidates = segments.oldest(Math.max(1, policy.objectEntries));
  const chosen: typeof candidates = [];
  let entries = 0;
  let bytes = 0;
  // Whether the next due segment would overflow the object: it is as full as it gets, however few entries it holds.
  let full = false;
  for (const [i, s] of candidates.entries()) {
    const newest = i === candidates.length - 1 && s.last === head;
    if (newest || s.last > head - policy.hotEntries) break;
    if (chosen.length > 0 && (entries + (s.last - s.first + 1) > policy.objectEntries || bytes + s.bytes > policy.objectBytes)) {
      full = true;
      break;
    }
    chosen.push(s);
    entries += s.last - s.first + 1;
    bytes += s.bytes;
  }
  if (chosen.length === 0 || (!full && entries < Math.min(minEntries, policy.objectEntries))) return undefined;
  const last = chosen.at(-1) as (typeof chosen)[number];
  return {
    first: (chosen[0] as (typeof chosen)[number]).first,
    last: last.last,
    firstOffsets: chosen.map((s) => s.first),
    types: [...new Set(chosen.flatMap((s) => s.types))].sort(),
    appendedAt: last.appendedAt,
  };
}

/**
 * Builds the archive object for segments `due` (their entries, offsets and times kept, barriers
 * left to the index), puts it, then — in the caller's transaction — records it and drops the hot
 * segments. The put comes first, noted as pending (notePending) by the caller: an object without
 * an index row (a crash in between) is deleted by the next run (dropLeftovers) before it writes its
 * own, whatever segments that one holds, so nothing is lost, doubled or left behind.
 */
export async function archiveSegments(
  segments: SegmentStore,
  bucket: ArchiveBucket,
  partition: number,
  due: NonNullable<ReturnType<typeof dueForArchive>>,
): Promise<{ key: string; body: Uint8Array; entries: number }> {
  const entries: LogEntry[] = due.firstOffsets.flatMap((f) => decodeSegment(segments.blob(f), partition));
  const body = await gzip(encodeArchive(entries));
  const key = archiveKey(partition, due.first, due.last);
  await bucket.put(key, body);
  return { key, body, entries: entries.length };
}

/**
 * Notes that object `key` is about to be put (one statement, so it needs no transaction): should
 * the index row never follow, the object is a leftover the next run deletes, for a retry may
 * choose other segments and so another name, and retention deletes only what the index names.
 */
export function notePending(sql: SqlStorage, key: string): void {
  sql.exec("INSERT INTO log_archive_pending (object) VALUES (?) ON CONFLICT (object) DO NOTHING", key);
}

/** Deletes the objects put without an index row (a crash between the put and the index row). */
export async function dropLeftovers(sql: SqlStorage, bucket: ArchiveBucket): Promise<void> {
  const pending = sql.exec<{ object: string }>("SELECT object FROM log_archive_pending").toArray().map((r) => r.object);
  if (pending.length === 0) return;
  const indexed = new Set(sql.exec<{ object: string }>("SELECT object FROM log_archive WHERE object IN (SELECT object FROM log_archive_pending)").toArray().map((r) => r.object));
  const leftovers = pending.filter((k) => !indexed.has(k));
  if (leftovers.length > 0) await bucket.delete(leftovers);
  for (const k of pending) sql.exec("DELETE FROM log_archive_pending WHERE object = ?", k);
}

/** Records an archived object and drops the hot segments it holds (inside the caller's transaction). */
export function recordArchived(sql: SqlStorage, segments: SegmentStore, due: NonNullable<ReturnType<typeof dueForArchive>>, key: string, bytes: number): void {
  sql.exec("DELETE FROM log_archive_pending WHERE object = ?", key);
  sql.exec(
    `INSERT INTO log_archive (first_offset, last_offset, appended_at, types, object, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (first_offset) DO NOTHING`,
    due.first,
    due.last,
    due.appendedAt,
    JSON.stringify(due.types),
    key,
    bytes,
  );
  segments.drop({ first: due.firstOffsets.at(-1) as number, last: due.last });
}

/**
 * The archive objects retention no longer keeps, oldest first and contiguous (a hole would be
 * skipped silently): older than `retention.days` by their newest entry, or wholly more than
 * `retention.events` entries behind the head.
 */
export function expiredArchive(sql: SqlStorage, retention: LogRetention, now: number, head: number, limit: number): ArchivedObject[] {
  const out: ArchivedObject[] = [];
  for (const o of archivedObjects(sql, { limit })) {
    const expired = (retention.days > 0 && o.appendedAt < now - retention.days * 86_400_000) || (retention.events > 0 && o.last <= head - retention.events);
    if (!expired) break;
    out.push(o);
  }
  return out;
}

/** Forgets archive objects (after the bucket deleted them). */
export function forgetArchived(sql: SqlStorage, objects: readonly ArchivedObject[]): void {
  for (const o of objects) sql.exec("DELETE FROM log_archive WHERE first_offset = ?", o.first);
}

/** An archive object's entries, decoded (the caller caches them). */
export async function loadArchived(bucket: ArchiveBucket, object: ArchivedObject, partition: number): Promise<LogEntry[]> {
  const body = await bucket.get(object.key);
  if (body === undefined) {
    throw new StatehouseError("unavailable", `the log's archive object ${object.key} (offsets ${object.first}–${object.last}) is missing from the bucket`);
  }
  return decodeSegment(await gunzip(body), partition);
}
