// ChiefOfStateService's streaming half: Subscribe and SubscribeAll as server streams, Unsubscribe by id.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  type ChiefOfStateService,
  SubscribeAllResponseSchema,
  SubscribeResponseSchema,
  UnsubscribeAllResponseSchema,
  UnsubscribeResponseSchema,
} from "../gen/chief_of_state/v1/service_pb.js";
import { StatehouseError } from "../errors.js";
import { requireSubscriptions } from "../streams/index.js";
import { completeLogEntry } from "./complete-entry.js";
import { requestValues } from "./request-values.js";
import { announceStreamStart } from "./stream-start.js";

type SubscriptionMethods = Pick<ServiceImpl<typeof ChiefOfStateService>, "subscribe" | "subscribeAll" | "unsubscribe" | "unsubscribeAll">;

/**
 * Subscribe streams every event of one entity (all events of a multi-event command, each with
 * its resulting state and meta) in revision order, from `from_revision` or from now on; every
 * response carries the subscription id, generated when the request has none. Errors found before
 * streaming (bad entity id, a from_revision out of range) end the stream before any message.
 */
export function subscriptionService(): SubscriptionMethods {
  return {
    async *subscribe(req, ctx: HandlerContext) {
      const { config, subscriptions } = requestValues(ctx);
      requireSubscriptions(config);
      const subscriptionId = req.subscriptionId || crypto.randomUUID();
      const stream = await subscriptions.open({
        entityId: req.entityId,
        subscriptionId,
        from: req.fromRevision,
        includeState: req.includeState,
        signal: ctx.signal,
      });
      announceStreamStart(ctx);
      for await (const item of stream) {
        yield create(SubscribeResponseSchema, {
          subscriptionId,
          event: item.event,
          resultingState: item.state,
          meta: item.meta,
          currentState: item.event === undefined,
        });
      }
    },
    async *subscribeAll(req, ctx) {
      const { config, entities, logStreams } = requestValues(ctx);
      requireSubscriptions(config);
      const subscriptionId = req.subscriptionId || crypto.randomUUID();
      if (req.fromOffset > BigInt(Number.MAX_SAFE_INTEGER)) throw new StatehouseError("invalid_argument", "from_offset is too large");
      const after = req.fromPosition === "" ? undefined : req.fromPosition;
      const stream = await logStreams.open({ from: String(req.fromOffset), after, type: req.eventType, subscriptionId, signal: ctx.signal });
      announceStreamStart(ctx);
      for await (const { entry, position } of stream) {
        const e = await completeLogEntry(entities, entry);
        yield create(SubscribeAllResponseSchema, {
          subscriptionId,
          event: e.event,
          resultingState: e.state,
          meta: e.meta,
          offset: BigInt(e.offset),
          position,
          partition: e.partition,
        });
      }
    },
    async unsubscribe(req, ctx) {
      const { config, subscriptions } = requestValues(ctx);
      requireSubscriptions(config);
      await subscriptions.unsubscribe(req.subscriptionId);
      return create(UnsubscribeResponseSchema, { subscriptionId: req.subscriptionId });
    },
    async unsubscribeAll(req, ctx) {
      const { config, subscriptions } = requestValues(ctx);
      requireSubscriptions(config);
      await subscriptions.unsubscribe(req.subscriptionId);
      return create(UnsubscribeAllResponseSchema, { subscriptionId: req.subscriptionId });
    },
  };
}
