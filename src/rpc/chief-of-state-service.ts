// chief_of_state.v1.ChiefOfStateService: ProcessCommand and GetState, as upstream CoS clients call them; subscriptions in subscription-service.ts.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  type ChiefOfStateService,
  GetStateResponseSchema,
  ProcessCommandResponseSchema,
} from "../gen/chief_of_state/v1/service_pb.js";
import { buildCommandInput, readCommand } from "../input/index.js";
import { requestValues } from "./request-values.js";
import { isJsonRequest } from "./rpc-helpers.js";
import { subscriptionService } from "./subscription-service.js";

/** The ChiefOfStateService implementation over the request's entity client (see request-values.ts). */
export function chiefOfStateService(): ServiceImpl<typeof ChiefOfStateService> {
  return {
    ...subscriptionService(),
    async processCommand(req, ctx: HandlerContext) {
      const { entities, config } = requestValues(ctx);
      const command = readCommand({ form: "message", any: req.command });
      const input = buildCommandInput(
        { entityId: req.entityId, command, headers: ctx.requestHeader, options: { in: "headers" }, json: isJsonRequest(ctx) },
        config,
      );
      const reply = await entities.processCommand(input);
      return create(ProcessCommandResponseSchema, reply);
    },
    async getState(req, ctx) {
      return create(GetStateResponseSchema, await requestValues(ctx).entities.getState(req.entityId));
    },
  };
}
