// Reads of the global log as every API offers them: validated offsets, limits and type globs.
import { fromBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import { StatehouseError } from "../errors.js";
import { type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import { formatLogPosition, formatLogStart, parseLogStart } from "./log-position.js";
import type { LogEntry, LogPage } from "./log-types.js";
import { type MergedPage, type PartitionLogs, readMerged } from "./merged-log.js";
import { parseEntityFilter, parseTypeGlob } from "./type-glob.js";

/** Entries a read returns when no limit is given, and at most. */
export const LOG_PAGE_DEFAULT = 100;
export const LOG_PAGE_MAX = 1000;
/** Payload bytes one page holds at most (at least one entry is always returned). */
export const LOG_PAGE_BYTES = 4 * 1024 * 1024;


/** A read as a caller asks for it: every field optional, validated by readLog. */
export interface LogRequest {
  /**
   * Where to start (inclusive): an offset with one partition, a position string ("15-0-7") with
   * several; undefined or "0" starts at the oldest retained entry (of each partition).
   */
  from?: string;
  limit?: number;
  type?: string;
  /** Only this entity's entries (each page then examines a bounded window of offsets, as with `type`). */
  entity?: string;
}

/** An entry of a page, with the places a reader resumes from around it. */
export interface PagedEntry {
  entry: LogEntry;
  /** The reader's position once it has this entry (resume after it: SSE ids, consumer positions). */
  position: string;
  /** The inclusive start that reads this entry first (eskit's ids, which `from_id` includes). */
  start: string;
}

/** A page as every API answers it. */
export interface ReadPage {
  entries: PagedEntry[];
  /** Where the next read starts (inclusive), and per partition. */
  next: string;
  nextStart: number[];
  /** Each partition's newest offset and oldest retained one. */
  head: number[];
  first: number[];
}

/** A log entry with its payloads decoded. */
export interface DecodedLogEntry {
  partition: number;
  offset: number;
  entityId: string;
  revision: number;
  eventType: string;
  /** Undefined when the event was too large for the log (read it from the entity's journal). */
  event: Any | undefined;
  state: Any | undefined;
  meta: MetaData;
  appendedAt: number;
}

/**
 * Checks that `from` is inside the log: not below the oldest retained entry (retention deleted
 * what was there: say so rather than skip it) and not past the head + 1 (the next offset to come).
 */
export function checkOffset(from: number, page: Pick<LogPage, "firstOffset" | "headOffset">): void {
  if (from < page.firstOffset) {
    throw new StatehouseError("out_of_range", `offset ${from} is no longer in the log: retention kept offsets from ${page.firstOffset} (head ${page.headOffset})`);
  }
  if (from > page.headOffset + 1) {
    throw new StatehouseError("out_of_range", `offset ${from} is beyond the head of the log (${page.headOffset}); the next entry will be ${page.headOffset + 1}`);
  }
}

/**
 * Checks an inclusive start against every partition's bounds (a 0 component means "the oldest
 * retained" and is not checked): below what retention kept, or past head + 1, is OUT_OF_RANGE.
 */
export function checkStart(start: readonly number[], page: Pick<MergedPage, "head" | "first">): void {
  start.forEach((from, p) => {
    if (from === 0) return;
    const head = page.head[p] ?? 0;
    const first = page.first[p] ?? head + 1;
    try {
      checkOffset(from, { firstOffset: first, headOffset: head });
    } catch (cause) {
      if (start.length === 1 || !(cause instanceof StatehouseError)) throw cause;
      throw new StatehouseError("out_of_range", `partition ${p}: ${cause.message}`);
    }
  });
}

/**
 * One page of the log from `req.from` (default: the oldest retained entry of each partition),
 * merged across `logs`' partitions. Each entry comes with the position after it and the start
 * before it, counted from where the read began (a partition it began "at the oldest" counts from
 * what retention kept then).
 */
export async function readLog(logs: PartitionLogs, req: LogRequest): Promise<ReadPage> {
  const limit = req.limit === undefined || req.limit === 0 ? LOG_PAGE_DEFAULT : req.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > LOG_PAGE_MAX) {
    throw new StatehouseError("invalid_argument", `limit must be a whole number from 1 to ${LOG_PAGE_MAX}`);
  }
  const type = parseTypeGlob(req.type);
  const entity = parseEntityFilter(req.entity);
  const start = req.from === undefined || req.from === "" ? new Array<number>(logs.count).fill(0) : parseLogStart(req.from, logs.count, "from");
  const page = await readMerged(logs, { from: start.map((s) => Math.max(1, s)), limit, type, entity, maxBytes: LOG_PAGE_BYTES });
  checkStart(start, page);
  return pagedEntries(start, page);
}

/** The page with each entry's position and start, reckoned from `start` (0: the oldest retained, as the page saw it). */
export function pagedEntries(start: readonly number[], page: MergedPage): ReadPage {
  let next = start.map((s, p) => (s === 0 ? Math.min(page.first[p] ?? 1, (page.head[p] ?? 0) + 1) : s));
  const entries = page.entries.map((entry) => {
    const before = formatLogStart(next);
    next = next.map((n, p) => (p === entry.partition ? Math.max(n, entry.offset + 1) : n));
    return { entry, start: before, position: formatLogPosition(next.map((n) => n - 1)) };
  });
  const nextStart = page.next.map((n, p) => Math.max(n, next[p] ?? 1));
  return { entries, next: formatLogStart(nextStart), nextStart, head: page.head, first: page.first };
}

/** Decodes an entry's protobuf payloads. */
export function decodeLogEntry(e: LogEntry): DecodedLogEntry {
  return {
    partition: e.partition,
    offset: e.offset,
    entityId: e.entityId,
    revision: e.revision,
    eventType: e.eventType,
    event: e.event === undefined ? undefined : fromBinary(AnySchema, e.event),
    state: e.state === undefined ? undefined : fromBinary(AnySchema, e.state),
    meta: fromBinary(MetaDataSchema, e.meta),
    appendedAt: e.appendedAt,
  };
}
