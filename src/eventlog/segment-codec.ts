// The protobuf form of a partition's log entries: one stored segment is a statehouse.v1.LogFeedMessage.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { StatehouseError } from "../errors.js";
import { type LogFeedRow, LogFeedBarrierSchema, LogFeedMessageSchema, LogFeedRowSchema } from "../gen/statehouse/v1/feed_pb.js";
import type { LogBarrier, LogEntry, LogRow } from "./log-types.js";

/**
 * Bytes one segment row may hold at most, its columns included. SQLite in a Durable Object caps a
 * row and a BLOB at 2 MB; the margin covers the row's header and integer columns.
 */
export const SEGMENT_MAX_BYTES = 1_900_000;

/** What an encoded segment holds besides its rows, at most: the head's tag and a 10-byte varint. */
export const SEGMENT_BASE_BYTES = 11;
/**
 * What a row adds besides its payloads and strings, at most: tags, integer fields as 10-byte
 * varints, length prefixes and the row's own, so the split's estimate never falls short.
 */
const ROW_OVERHEAD = 72;

/** Decodes a stored segment; a store takes it as a parameter so a test can count decodes. */
export type SegmentDecoder = (bytes: Uint8Array, partition: number) => LogEntry[];

/** The payload bytes of an entry (event, meta and state), as page and buffer bounds count them. */
export function payloadBytes(row: LogRow): number {
  return (row.event?.byteLength ?? 0) + row.meta.byteLength + (row.state?.byteLength ?? 0);
}

/** An upper bound of the bytes `row` adds to an encoded segment (UTF-8 takes at most 3 bytes per UTF-16 unit). */
export function segmentRowBytes(row: LogRow): number {
  return ROW_OVERHEAD + payloadBytes(row) + 3 * (row.entityId.length + row.eventType.length);
}

/**
 * Encodes rows appended together at consecutive offsets from `firstOffset` as one segment: a
 * LogFeedMessage whose head is the last offset. Each row keeps its offset and appended_at, so a
 * segment reads back on its own (a live message or an archive needs nothing else).
 */
export function encodeSegment(rows: readonly LogRow[], firstOffset: number, appendedAt: number): Uint8Array {
  if (rows.length === 0) throw new StatehouseError("internal", "a log segment holds at least one entry");
  const at = BigInt(appendedAt);
  return toBinary(
    LogFeedMessageSchema,
    create(LogFeedMessageSchema, {
      head: BigInt(firstOffset + rows.length - 1),
      rows: rows.map((r, i) => toLogFeedRow({ ...r, offset: firstOffset + i, appendedAt, barriers: undefined }, at)),
    }),
  );
}

/**
 * Encodes entries of consecutive offsets, each with its own appended_at, as one LogFeedMessage:
 * an archive object holds many segments' entries this way (barriers stay in the partition's index).
 */
export function encodeArchive(entries: readonly LogEntry[]): Uint8Array {
  if (entries.length === 0) throw new StatehouseError("internal", "an archive object holds at least one entry");
  return toBinary(
    LogFeedMessageSchema,
    create(LogFeedMessageSchema, {
      head: BigInt((entries.at(-1) as LogEntry).offset),
      rows: entries.map((e) => toLogFeedRow({ ...e, barriers: undefined })),
    }),
  );
}

/** Decodes a segment into its entries, in offset order, marked with `partition`. */
export const decodeSegment: SegmentDecoder = (bytes, partition) =>
  fromBinary(LogFeedMessageSchema, bytes).rows.map((r) => fromLogFeedRow(r, partition));

/** An entry as a LogFeedRow (for a segment or a live message); barriers only when it carries some. */
export function toLogFeedRow(e: Omit<LogEntry, "partition">, appendedAt = BigInt(e.appendedAt)): LogFeedRow {
  return create(LogFeedRowSchema, {
    offset: BigInt(e.offset),
    entityId: e.entityId,
    revision: e.revision,
    eventType: e.eventType,
    event: e.event,
    meta: e.meta,
    state: e.state,
    appendedAt,
    eskit: e.eskit === true,
    barriers: (e.barriers ?? []).map((b) =>
      create(LogFeedBarrierSchema, { beforeOffset: BigInt(b.beforeOffset), partition: b.partition, offset: BigInt(b.offset) }),
    ),
  });
}

/** A LogFeedRow back as an entry of `partition`; eskit and barriers only when set, as LogRow leaves them out. */
export function fromLogFeedRow(r: LogFeedRow, partition: number): LogEntry {
  const entry: LogEntry = {
    partition,
    offset: Number(r.offset),
    entityId: r.entityId,
    revision: r.revision,
    eventType: r.eventType,
    event: r.event,
    meta: r.meta,
    state: r.state,
    appendedAt: Number(r.appendedAt),
  };
  if (r.eskit) entry.eskit = true;
  if (r.barriers.length > 0) entry.barriers = r.barriers.map(toBarrier);
  return entry;
}

function toBarrier(b: { beforeOffset: bigint; partition: number; offset: bigint }): LogBarrier {
  return { beforeOffset: Number(b.beforeOffset), partition: b.partition, offset: Number(b.offset) };
}
