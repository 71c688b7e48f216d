// Reads of the global log as every API offers them: validated offsets, limits and type globs.
import { fromBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import { StatehouseError } from "../errors.js";
import { type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import type { LogEntry, LogPage, LogStore } from "./log-store.js";

/** Entries a read returns when no limit is given, and at most. */
export const LOG_PAGE_DEFAULT = 100;
export const LOG_PAGE_MAX = 1000;
/** Payload bytes one page holds at most (at least one entry is always returned). */
export const LOG_PAGE_BYTES = 4 * 1024 * 1024;

/** A type selector: a fully qualified name, or a glob over names with `*` and `?` (`bank.v1.*`). */
const TYPE_GLOB = /^[A-Za-z0-9_.*?]{1,200}$/;

/** A read as a caller asks for it: every field optional, validated by readLog. */
export interface LogRequest {
  /** First offset wanted (inclusive); undefined starts at the oldest retained entry. */
  from?: number;
  limit?: number;
  type?: string;
}

/** A log entry with its payloads decoded. */
export interface DecodedLogEntry {
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

/** Validates a type selector; undefined or "" selects every type. */
export function parseTypeGlob(value: string | undefined, field = "type"): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!TYPE_GLOB.test(value)) {
    throw new StatehouseError("invalid_argument", `${field} must be a type name or a glob of one (letters, digits, _, ., * and ?), e.g. bank.v1.*`);
  }
  return value;
}

/** A type glob as a predicate: `*` any run of characters, `?` one, everything else literal (as SQLite's GLOB). */
export function typeMatcher(glob: string | undefined): (type: string) => boolean {
  if (glob === undefined) return () => true;
  const pattern = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  const re = new RegExp(`^${pattern}$`);
  return (type) => re.test(type);
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

/** One page of the log from `from` (default: the oldest retained entry). */
export async function readLog(store: LogStore, req: LogRequest): Promise<LogPage> {
  const limit = req.limit === undefined || req.limit === 0 ? LOG_PAGE_DEFAULT : req.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > LOG_PAGE_MAX) {
    throw new StatehouseError("invalid_argument", `limit must be a whole number from 1 to ${LOG_PAGE_MAX}`);
  }
  const type = parseTypeGlob(req.type);
  if (req.from !== undefined && (!Number.isSafeInteger(req.from) || req.from < 0)) {
    throw new StatehouseError("invalid_argument", "from must be a whole number (a log offset)");
  }
  const from = req.from === undefined || req.from === 0 ? 1 : req.from;
  const page = await store.read({ from, limit, type, maxBytes: LOG_PAGE_BYTES });
  // Without an explicit start a reader begins at what retention kept.
  if (req.from !== undefined && req.from !== 0) checkOffset(from, page);
  return page;
}

/** Decodes an entry's protobuf payloads. */
export function decodeLogEntry(e: LogEntry): DecodedLogEntry {
  return {
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
