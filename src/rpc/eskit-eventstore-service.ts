// contracts.eventstore.EventstoreService (eskit): Append through the built-in eskit-append handler, reads of journals and the log.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  AppLogResponseSchema,
  AppendEventResponseSchema,
  type EventstoreService,
  GetEventsResponseSchema,
  HealthResponseSchema,
} from "../gen/contracts/eventstore/service_pb.js";
import { type EskitEventStore, appendEskitEvent, createEskitEventStore } from "../eskit/index.js";
import { typeRegistry } from "../payload/index.js";
import { requireSubscriptions } from "../streams/index.js";
import { requestValues } from "./request-values.js";
import { announceStreamStart } from "./stream-start.js";

/**
 * eskit's EventstoreService over the request's entities and log. Append commits the event as it
 * came, at originator.version, through the entity's ordinary command path (journal, outbox, read
 * sides, the log, subscriptions; the idempotency-key and statehouse-expected-revision headers work
 * as on ProcessCommand). LogsPoll is a stream, so it needs COS_SUBSCRIPTION_ENABLED.
 */
export function eskitEventstoreService(): ServiceImpl<typeof EventstoreService> {
  const store = (ctx: HandlerContext): EskitEventStore => {
    const { entities, eventLog, logStreams } = requestValues(ctx);
    return createEskitEventStore({ entities, eventLog, logStreams, registry: typeRegistry() });
  };
  return {
    healtz: () => create(HealthResponseSchema, { message: "OK" }),
    async append(req, ctx) {
      await appendEskitEvent(requestValues(ctx), ctx.requestHeader, req.event);
      return create(AppendEventResponseSchema);
    },
    async getEvents(req, ctx) {
      // entity_type is not read, as in eskit's own service: an originator id names one entity.
      return create(GetEventsResponseSchema, { events: await store(ctx).getEvents(req.originator) });
    },
    async logs(req, ctx) {
      return create(AppLogResponseSchema, { results: await store(ctx).logs(req) });
    },
    async *logsPoll(req, ctx) {
      requireSubscriptions(requestValues(ctx).config);
      yield* store(ctx).poll(req, ctx.signal, () => announceStreamStart(ctx));
    },
  };
}
