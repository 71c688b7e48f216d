// contracts.consumerstore.ConsumerService (eskit): named consumers' offsets, over the log's consumer positions.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  AppLogConsumeResponseSchema,
  type ConsumerService,
  type GetAppLogConsumeResponse,
  GetAppLogConsumeResponseSchema,
  HealthResponseSchema,
  ListConsumersResponseSchema,
} from "../gen/contracts/consumerstore/service_pb.js";
import { idOfPosition, positionOfId } from "../eskit/index.js";
import type { ConsumerPosition } from "../eventlog/index.js";
import { requestValues } from "./request-values.js";

/** Positions read per page while List collects them all (eskit's List has no paging). */
const LIST_PAGE = 1000;

/**
 * eskit's ConsumerService: LogConsume stores a consumer's offset (the id of the last log entry it
 * handled, a decimal string; past the head is OUT_OF_RANGE), GetLogConsume reads it (NOT_FOUND for
 * a consumer that never stored one), List returns every consumer by id. The positions are the
 * same as statehouse.v1.LogService's and GET /api/v1/log/consumers.
 */
export function eskitConsumerService(): ServiceImpl<typeof ConsumerService> {
  return {
    healtz: () => create(HealthResponseSchema, { message: "OK" }),
    async logConsume(req, ctx) {
      const { eventLog } = requestValues(ctx);
      await eventLog.setPosition(req.consumerId, positionOfId(req.offset, eventLog.partitions));
      return create(AppLogConsumeResponseSchema);
    },
    async getLogConsume(req, ctx) {
      return positionMessage(await requestValues(ctx).eventLog.getPosition(req.consumerId));
    },
    async list(_req, ctx) {
      const { eventLog } = requestValues(ctx);
      const consumers: GetAppLogConsumeResponse[] = [];
      for (let after = ""; ; ) {
        const page = await eventLog.listPositions(after, LIST_PAGE);
        consumers.push(...page.map(positionMessage));
        if (page.length < LIST_PAGE) break;
        after = page.at(-1)?.consumerId ?? "";
      }
      return create(ListConsumersResponseSchema, { consumers });
    },
  };
}

function positionMessage(p: ConsumerPosition): GetAppLogConsumeResponse {
  return create(GetAppLogConsumeResponseSchema, { consumerId: p.consumerId, offset: idOfPosition(p.position) });
}
