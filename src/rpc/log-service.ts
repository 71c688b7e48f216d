// statehouse.v1.LogService: the global event log and named consumers' positions over Connect.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { StatehouseError } from "../errors.js";
import { type ConsumerPosition, type DecodedLogEntry, decodeLogEntry, formatLogStart, parseLogPosition, startAfter } from "../eventlog/index.js";
import { ConsumerPositionSchema, LogEntrySchema, type LogService } from "../gen/statehouse/v1/log_pb.js";
import { requireSubscriptions } from "../streams/index.js";
import { requestValues } from "./request-values.js";
import { announceStreamStart } from "./stream-start.js";

/** The LogService implementation over the request's event log (see request-values.ts). */
export function logService(): ServiceImpl<typeof LogService> {
  return {
    async *tail(req, ctx) {
      const { config, logStreams } = requestValues(ctx);
      requireSubscriptions(config);
      const from = req.from !== "" ? req.from : req.fromOffset > 0n ? String(toNumber(req.fromOffset, "from_offset")) : undefined;
      const stream = await logStreams.open({ from, after: req.fromPosition === "" ? undefined : req.fromPosition, type: req.eventType, signal: ctx.signal });
      announceStreamStart(ctx);
      for await (const e of stream) yield logEntryMessage(decodeLogEntry(e.entry), e.position);
    },
    async read(req, ctx) {
      const { eventLog } = requestValues(ctx);
      const from =
        req.fromPosition !== ""
          ? formatLogStart(startAfter(parseLogPosition(req.fromPosition, eventLog.partitions, "from_position")))
          : req.from !== ""
            ? req.from
            : req.fromOffset > 0n
              ? String(toNumber(req.fromOffset, "from_offset"))
              : undefined;
      const page = await eventLog.read({ from, limit: req.limit, type: req.eventType });
      const one = eventLog.partitions === 1;
      return {
        entries: page.entries.map((e) => logEntryMessage(decodeLogEntry(e.entry), e.position)),
        nextOffset: one ? BigInt(page.nextStart[0] ?? 0) : 0n,
        headOffset: one ? BigInt(page.head[0] ?? 0) : 0n,
        firstOffset: one ? BigInt(page.first[0] ?? 0) : 0n,
        next: page.next,
        headOffsets: page.head.map(BigInt),
        firstOffsets: page.first.map(BigInt),
      };
    },
    async setConsumerPosition(req, ctx) {
      const position = req.position !== "" ? req.position : String(toNumber(req.offset, "offset"));
      return positionMessage(await requestValues(ctx).eventLog.setPosition(req.consumerId, position));
    },
    async getConsumerPosition(req, ctx) {
      return positionMessage(await requestValues(ctx).eventLog.getPosition(req.consumerId));
    },
    async listConsumerPositions(req, ctx) {
      return { positions: (await requestValues(ctx).eventLog.listPositions(req.after, req.limit)).map(positionMessage) };
    },
  };
}

/** An entry as the LogEntry message (event unset when it was too large for the log). */
export function logEntryMessage(e: DecodedLogEntry, position: string) {
  return create(LogEntrySchema, {
    offset: BigInt(e.offset),
    entityId: e.entityId,
    revision: e.revision,
    eventType: e.eventType,
    event: e.event,
    state: e.state,
    meta: e.meta,
    appendedAt: timestampFromMs(e.appendedAt),
    partition: e.partition,
    position,
  });
}

function positionMessage(p: ConsumerPosition) {
  const offset = /^\d+$/.test(p.position) ? BigInt(p.position) : 0n;
  return create(ConsumerPositionSchema, { consumerId: p.consumerId, offset, position: p.position, updatedAt: timestampFromMs(p.updatedAt) });
}

function toNumber(v: bigint, field: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new StatehouseError("invalid_argument", `${field} is too large`);
  return Number(v);
}
