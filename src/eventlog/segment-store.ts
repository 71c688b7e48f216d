// One partition's slice of the global log in its Durable Object's SQLite: a row per appended batch (a segment).
import { StatehouseError } from "../errors.js";
import { PageFill } from "./page-fill.js";
import { LOG_SCAN_WINDOW, isFiltered, type LogBarrier, type LogEntry, type LogPage, type LogQuery, type LogRetention, type LogRow } from "./log-types.js";
import { SEGMENT_BASE_BYTES, SEGMENT_MAX_BYTES, type SegmentDecoder, decodeSegment, encodeSegment, payloadBytes, segmentRowBytes } from "./segment-codec.js";
import { type LogCounterDelta, type SegmentCounters, countersJson, createSegmentCounters } from "./segment-counters.js";
import { type SegmentMeta, readMeta, writeMeta } from "./segment-meta.js";

/**
 * The partition log's tables, each statement idempotent: run them all when the object starts.
 * `log_segment` is keyed by its first offset (SQLite's rowid, so no index to maintain) and keeps
 * its BLOB last, so scans of the other columns never read a segment's overflow pages.
 */
export const SEGMENT_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS log_segment (
     first_offset INTEGER PRIMARY KEY,
     last_offset INTEGER NOT NULL,
     appended_at INTEGER NOT NULL,
     types TEXT NOT NULL,
     counters TEXT,
     entries BLOB NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS log_counter (
     series TEXT NOT NULL, labels TEXT NOT NULL, value INTEGER NOT NULL,
     PRIMARY KEY (series, labels)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS log_barrier (
     before_offset INTEGER NOT NULL, source_partition INTEGER NOT NULL, through_offset INTEGER NOT NULL,
     PRIMARY KEY (before_offset, source_partition)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS log_meta (
     id INTEGER PRIMARY KEY CHECK (id = 1), trimmed_through INTEGER NOT NULL, folded_through INTEGER NOT NULL)`,
];

/** What one append stored: its offsets, its time, and its entries for the live hub (with their barriers). */
export interface AppendResult {
  first: number;
  last: number;
  appendedAt: number;
  entries: LogEntry[];
}

/** A page of one partition's log, with the barriers a reader must respect before reading on. */
export interface PartitionLogPage extends LogPage {
  /** The barriers whose beforeOffset lies in [from, nextOffset], by beforeOffset. */
  barriers: LogBarrier[];
}

/** How a SegmentStore is built; both optional. */
export interface SegmentStoreOptions {
  /** The partition this log belongs to, set on every entry (default 0). */
  partition?: number;
  /** Decodes a segment (default decodeSegment); a test passes a counting one. */
  decode?: SegmentDecoder;
}

/**
 * One partition's log. Every method is synchronous SQL; append, trim, foldCounters, counters (it
 * may fold) and addBarrier write more than one statement and belong inside the caller's
 * `ctx.storage.transactionSync`.
 */
export interface SegmentStore {
  /**
   * Appends `rows` in order at the next offsets as one segment row (more only past
   * SEGMENT_MAX_BYTES), with the batch's counter deltas; undefined when `rows` is empty.
   * appended_at is max(now, the previous segment's), so it never decreases along the offsets.
   */
  append(rows: readonly LogRow[], now: number, counters: readonly LogCounterDelta[]): AppendResult | undefined;
  /**
   * Entries from `from` on, as LogStore.read pages them, and the barriers in the range it covered.
   * `windowEnd` ends a filtered read's window where a read that began in the archive set it.
   */
  read(query: LogQuery & { windowEnd?: number }): PartitionLogPage;
  /** The newest offset (0 before the first append) and the oldest retained (head + 1 when none is). */
  bounds(): { head: number; first: number };
  /** The first offset of the newest segment (head + 1 when there is none). */
  newestFirst(): number;
  /**
   * Deletes whole oldest segments retention no longer keeps (a segment's age is its newest entry's),
   * at most `maxSegments`, never the newest segment and never one after a kept one; folds their
   * counters first. Returns the entries deleted.
   */
  trim(retention: LogRetention, now: number, maxSegments: number): number;
  /**
   * Makes an empty log start at `offset` rather than 1 (a log moved here from elsewhere keeps its
   * offsets): refused once anything was appended.
   */
  startAt(offset: number): void;
  /** Every counter's total: folded totals plus the deltas of segments not folded yet. */
  counters(): LogCounterDelta[];
  /** Folds the oldest unfolded segments' deltas (at most `maxSegments`) into log_counter; returns how many it folded. */
  foldCounters(maxSegments: number): number;
  /**
   * Records that entries from the next offset to be appended on may be read only once partition
   * `b.partition` has been consumed through `b.offset`; returns the barrier as stored.
   */
  addBarrier(b: { partition: number; offset: number }): LogBarrier;
  /** The barriers whose beforeOffset lies in [from, to], by beforeOffset. */
  barriers(from: number, to: number): LogBarrier[];
  /** The barriers on offsets after `offset` (none of them is on an entry up to `offset`). */
  barriersAfter(offset: number): LogBarrier[];
  /** The oldest segments, oldest first, at most `limit` (their sizes, not their entries). */
  oldest(limit: number): SegmentInfo[];
  /** One segment's stored bytes (a LogFeedMessage). */
  blob(firstOffset: number): Uint8Array;
  /**
   * Deletes the segments through the one that starts at `through.first` (never the newest), its
   * counters folded first, as if retention had taken them: for a tier that now holds them elsewhere.
   */
  drop(through: { first: number; last: number }): void;
}

/** A stored segment's place and size. */
export interface SegmentInfo {
  first: number;
  last: number;
  appendedAt: number;
  /** The distinct event types it holds. */
  types: string[];
  /** The encoded entries' bytes. */
  bytes: number;
}

const utf8 = new TextEncoder();

/** Segments whose first offset one read query lists at a time (their BLOBs are read one by one). */
const SEGMENT_BATCH = 32;

/** A SegmentStore over a Durable Object's SQLite (run SEGMENT_SCHEMA first). */
export function createSegmentStore(sql: SqlStorage, options: SegmentStoreOptions = {}): SegmentStore {
  const partition = options.partition ?? 0;
  const decode = options.decode ?? decodeSegment;
  const counters: SegmentCounters = createSegmentCounters(sql);

  const newest = () => sql.exec<{ first_offset: number; last_offset: number; appended_at: number }>(
    "SELECT first_offset, last_offset, appended_at FROM log_segment ORDER BY first_offset DESC LIMIT 1",
  ).toArray()[0];

  const bounds = (meta: SegmentMeta = readMeta(sql), last = newest()) => {
    // Retention never deletes the newest segment, so it holds the head; trimmed_through would
    // still hold it were the table ever emptied, so an offset is never handed out twice.
    const head = Math.max(last?.last_offset ?? 0, meta.trimmedThrough);
    const first = sql.exec<{ f: number | null }>("SELECT min(first_offset) AS f FROM log_segment").one().f;
    return { head, first: first ?? head + 1 };
  };

  const barriersIn = (from: number, to: number): LogBarrier[] =>
    sql
      .exec<{ before_offset: number; source_partition: number; through_offset: number }>(
        `SELECT before_offset, source_partition, through_offset FROM log_barrier
         WHERE before_offset BETWEEN ?1 AND ?2 ORDER BY before_offset, source_partition`,
        from,
        to,
      )
      .toArray()
      .map((b) => ({ beforeOffset: b.before_offset, partition: b.source_partition, offset: b.through_offset }));

  /** Sets each barrier on the entry at its beforeOffset, when that entry is among `entries`. */
  const attach = (entries: LogEntry[], barriers: LogBarrier[]) => {
    if (barriers.length === 0) return;
    const byOffset = new Map(entries.map((e) => [e.offset, e]));
    for (const b of barriers) {
      const e = byOffset.get(b.beforeOffset);
      if (e !== undefined) (e.barriers ??= []).push(b);
    }
  };

  return {
    append(rows, now, deltas) {
      if (rows.length === 0) return undefined;
      const last = newest();
      const head = bounds(readMeta(sql), last).head;
      const appendedAt = Math.max(now, last?.appended_at ?? 0);
      const counterText = countersJson(deltas);
      // Every segment is encoded and checked before the first is written: nothing partial on a bug.
      let offset = head + 1;
      const segments = splitRows(rows, counterText).map((chunk, i) => {
        const bytes = encodeSegment(chunk, offset, appendedAt);
        const types = JSON.stringify([...new Set(chunk.map((r) => r.eventType))]);
        const text = i === 0 ? counterText : null;
        if (bytes.byteLength + utf8.encode(types).byteLength + utf8.encode(text ?? "").byteLength > SEGMENT_MAX_BYTES) {
          throw new StatehouseError("internal", `a log segment of ${bytes.byteLength} bytes passed the row limit its split allowed for`);
        }
        const segment = { first: offset, last: offset + chunk.length - 1, types, text, bytes };
        offset += chunk.length;
        return segment;
      });
      for (const g of segments) {
        sql.exec(
          "INSERT INTO log_segment (first_offset, last_offset, appended_at, types, counters, entries) VALUES (?, ?, ?, ?, ?, ?)",
          g.first,
          g.last,
          appendedAt,
          g.types,
          g.text,
          exactBuffer(g.bytes),
        );
      }
      const first = head + 1;
      const entries: LogEntry[] = rows.map((r, i) => ({ ...r, partition, offset: first + i, appendedAt }));
      attach(entries, barriersIn(first, offset - 1));
      return { first, last: offset - 1, appendedAt, entries };
    },

    read(q) {
      const { head, first } = bounds();
      const start = Math.max(q.from, first);
      // A filtered read examines a bounded window of offsets, as the log in D1 does.
      const windowEnd = isFiltered(q) ? (q.windowEnd ?? start + LOG_SCAN_WINDOW) : Number.MAX_SAFE_INTEGER;
      // Segments whose type list holds no match are skipped here, without reading their BLOB.
      const typeFilter = q.type === undefined ? "" : "AND EXISTS (SELECT 1 FROM json_each(types) WHERE value GLOB ?3)";
      const page = new PageFill(q, start, windowEnd);
      let from = sql.exec<{ f: number | null }>("SELECT max(first_offset) AS f FROM log_segment WHERE first_offset <= ?", start).one().f ?? start;
      scan: for (;;) {
        const params: (number | string)[] = [from, windowEnd];
        if (q.type !== undefined) params.push(q.type);
        const listed = sql
          .exec<{ first_offset: number }>(
            `SELECT first_offset FROM log_segment WHERE first_offset >= ?1 AND first_offset < ?2 ${typeFilter}
             ORDER BY first_offset LIMIT ${SEGMENT_BATCH}`,
            ...params,
          )
          .toArray();
        for (const { first_offset } of listed) {
          const blob = sql.exec<{ entries: ArrayBuffer }>("SELECT entries FROM log_segment WHERE first_offset = ?", first_offset).one().entries;
          for (const e of decode(new Uint8Array(blob), partition)) {
            if (!page.offer(e)) break scan;
          }
        }
        if (listed.length < SEGMENT_BATCH) break;
        from = (listed.at(-1)?.first_offset ?? from) + 1;
      }
      const { entries, cut } = page;
      const last = entries.at(-1)?.offset;
      // A filtered read that found fewer than asked examined its whole window (or reached the head).
      const nextOffset =
        cut || !isFiltered(q) ? (last === undefined ? q.from : last + 1) : Math.max(q.from, Math.min(windowEnd, head + 1));
      const barriers = barriersIn(q.from, nextOffset);
      attach(entries, barriers);
      return { entries, nextOffset, headOffset: head, firstOffset: first, barriers };
    },

    bounds: () => bounds(),
    startAt(offset) {
      const meta = readMeta(sql);
      if (bounds(meta).head !== 0 || meta.trimmedThrough !== 0) {
        throw new StatehouseError("internal", `a log can start at ${offset} only while nothing was appended to it`);
      }
      if (offset > 1) writeMeta(sql, { trimmedThrough: offset - 1, foldedThrough: offset - 1 });
    },

    trim(retention, now, maxSegments) {
      const meta = readMeta(sql);
      const newestFirst = newest()?.first_offset;
      const { head } = bounds(meta);
      const oldest = sql
        .exec<{ first_offset: number; last_offset: number; appended_at: number }>(
          "SELECT first_offset, last_offset, appended_at FROM log_segment ORDER BY first_offset LIMIT ?",
          Math.max(0, maxSegments),
        )
        .toArray();
      const cutoff = now - retention.days * 86_400_000;
      let through: { first_offset: number; last_offset: number } | undefined;
      let deleted = 0;
      for (const s of oldest) {
        const expired = (retention.days > 0 && s.appended_at < cutoff) || (retention.events > 0 && s.last_offset <= head - retention.events);
        // The first kept segment ends the run: deleting past it would leave a hole a reader skips silently.
        if (s.first_offset === newestFirst || !expired) break;
        through = s;
        deleted += s.last_offset - s.first_offset + 1;
      }
      if (through === undefined) return 0;
      // Counters are folded before their segments go, so a total never loses what they added.
      const { foldedThrough } = counters.fold(meta, Number.MAX_SAFE_INTEGER, through.last_offset);
      sql.exec("DELETE FROM log_segment WHERE first_offset <= ?", through.first_offset);
      // A barrier before a deleted offset no longer applies: no read starts before the first kept offset.
      sql.exec("DELETE FROM log_barrier WHERE before_offset <= ?", through.last_offset);
      writeMeta(sql, { trimmedThrough: Math.max(meta.trimmedThrough, through.last_offset), foldedThrough });
      return deleted;
    },

    counters: () => counters.totals(),

    foldCounters(maxSegments) {
      const meta = readMeta(sql);
      const { foldedThrough, segments } = counters.fold(meta, maxSegments, Number.MAX_SAFE_INTEGER);
      if (segments > 0) writeMeta(sql, { ...meta, foldedThrough });
      return segments;
    },

    barriers: (from, to) => barriersIn(from, to),

    newestFirst() {
      return newest()?.first_offset ?? bounds().head + 1;
    },

    oldest(limit) {
      return sql
        .exec<{ first_offset: number; last_offset: number; appended_at: number; types: string; bytes: number }>(
          "SELECT first_offset, last_offset, appended_at, types, length(entries) AS bytes FROM log_segment ORDER BY first_offset LIMIT ?",
          Math.max(0, limit),
        )
        .toArray()
        .map((r) => ({ first: r.first_offset, last: r.last_offset, appendedAt: r.appended_at, types: JSON.parse(r.types) as string[], bytes: r.bytes }));
    },

    blob(firstOffset) {
      return new Uint8Array(sql.exec<{ entries: ArrayBuffer }>("SELECT entries FROM log_segment WHERE first_offset = ?", firstOffset).one().entries);
    },

    drop(through) {
      const newestFirst = newest()?.first_offset;
      if (newestFirst === undefined || through.first >= newestFirst) {
        throw new StatehouseError("internal", "the newest segment of a log stays where it is: it holds the head");
      }
      const meta = readMeta(sql);
      const { foldedThrough } = counters.fold(meta, Number.MAX_SAFE_INTEGER, through.last);
      sql.exec("DELETE FROM log_segment WHERE first_offset <= ?", through.first);
      writeMeta(sql, { trimmedThrough: Math.max(meta.trimmedThrough, through.last), foldedThrough });
    },

    addBarrier(b) {
      if (!Number.isSafeInteger(b.partition) || b.partition < 0 || !Number.isSafeInteger(b.offset) || b.offset < 0) {
        throw new StatehouseError("internal", `a log barrier needs a partition and an offset that are whole numbers, got ${b.partition} and ${b.offset}`);
      }
      const barrier = { beforeOffset: bounds().head + 1, partition: b.partition, offset: b.offset };
      sql.exec(
        `INSERT INTO log_barrier (before_offset, source_partition, through_offset) VALUES (?1, ?2, ?3)
         ON CONFLICT (before_offset, source_partition) DO UPDATE SET through_offset = max(through_offset, excluded.through_offset)`,
        barrier.beforeOffset,
        barrier.partition,
        barrier.offset,
      );
      return barrier;
    },

    barriersAfter: (offset) => barriersIn(offset + 1, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * Splits an append into as few segments as fit under SEGMENT_MAX_BYTES (one, unless the batch
 * nears 2 MB), counting each segment's type list and, in the first, the counter deltas: upper
 * bounds in UTF-8 bytes, so a split segment always fits.
 */
function splitRows(rows: readonly LogRow[], counterText: string | null): LogRow[][] {
  const chunks: LogRow[][] = [];
  let chunk: LogRow[] = [];
  let size = 0;
  let types = new Set<string>();
  const open = () => {
    chunk = [];
    chunks.push(chunk);
    types = new Set();
    size = SEGMENT_BASE_BYTES + 2 + (chunks.length === 1 ? 3 * (counterText?.length ?? 0) : 0);
  };
  // A type name in the JSON list: quoted, a comma, and at most 6 bytes per UTF-16 unit once escaped.
  const typeBytes = (type: string) => 6 * type.length + 3;
  open();
  for (const row of rows) {
    let add = segmentRowBytes(row) + (types.has(row.eventType) ? 0 : typeBytes(row.eventType));
    if (chunk.length > 0 && size + add > SEGMENT_MAX_BYTES) {
      open();
      add = segmentRowBytes(row) + typeBytes(row.eventType);
    }
    if (size + add > SEGMENT_MAX_BYTES) {
      throw new StatehouseError("internal", `a log row of ${payloadBytes(row)} bytes does not fit in a segment (${SEGMENT_MAX_BYTES} bytes)`);
    }
    chunk.push(row);
    types.add(row.eventType);
    size += add;
  }
  return chunks;
}

/** SQLite binds an ArrayBuffer as a BLOB: the view's own bytes, not the whole buffer behind it. */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}
