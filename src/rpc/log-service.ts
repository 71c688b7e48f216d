// statehouse.v1.LogService: the global event log and named consumers' positions over Connect.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { StatehouseError } from "../errors.js";
import { type ConsumerPosition, type DecodedLogEntry, decodeLogEntry } from "../eventlog/index.js";
import { ConsumerPositionSchema, LogEntrySchema, type LogService } from "../gen/statehouse/v1/log_pb.js";
import { requireSubscriptions } from "../streams/index.js";
import { requestValues } from "./request-values.js";

/** The LogService implementation over the request's event log (see request-values.ts). */
export function logService(): ServiceImpl<typeof LogService> {
  return {
    async *tail(req, ctx) {
      const { config, logStreams } = requestValues(ctx);
      requireSubscriptions(config);
      const stream = await logStreams.open({ from: toNumber(req.fromOffset, "from_offset"), type: req.eventType, signal: ctx.signal });
      for await (const entry of stream) yield logEntryMessage(decodeLogEntry(entry));
    },
    async read(req, ctx) {
      const page = await requestValues(ctx).eventLog.read({ from: toNumber(req.fromOffset, "from_offset"), limit: req.limit, type: req.eventType });
      return {
        entries: page.entries.map((e) => logEntryMessage(decodeLogEntry(e))),
        nextOffset: BigInt(page.nextOffset),
        headOffset: BigInt(page.headOffset),
        firstOffset: BigInt(page.firstOffset),
      };
    },
    async setConsumerPosition(req, ctx) {
      return positionMessage(await requestValues(ctx).eventLog.setPosition(req.consumerId, toNumber(req.offset, "offset")));
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
export function logEntryMessage(e: DecodedLogEntry) {
  return create(LogEntrySchema, {
    offset: BigInt(e.offset),
    entityId: e.entityId,
    revision: e.revision,
    eventType: e.eventType,
    event: e.event,
    state: e.state,
    meta: e.meta,
    appendedAt: timestampFromMs(e.appendedAt),
  });
}

function positionMessage(p: ConsumerPosition) {
  return create(ConsumerPositionSchema, { consumerId: p.consumerId, offset: BigInt(p.offset), updatedAt: timestampFromMs(p.updatedAt) });
}

function toNumber(v: bigint, field: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new StatehouseError("invalid_argument", `${field} is too large`);
  return Number(v);
}
