// chief_of_state.v1.ChiefOfStateService: ProcessCommand and GetState, as upstream CoS clients call them.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  type ChiefOfStateService,
  GetStateResponseSchema,
  ProcessCommandResponseSchema,
} from "../gen/chief_of_state/v1/service_pb.js";
import type { Config } from "../config/index.js";
import type { EntityClient } from "../entity/index.js";
import { optionsFromHeaders, pickHeaders } from "./request-options.js";
import { guardRpc, isJsonRequest, serializeCommand } from "./rpc-helpers.js";

/** The ChiefOfStateService implementation over the entity client. */
export function chiefOfStateService(entities: EntityClient, config: Config): ServiceImpl<typeof ChiefOfStateService> {
  return {
    async processCommand(req, ctx: HandlerContext) {
      return guardRpc(async () => {
        const reply = await entities.processCommand({
          entityId: req.entityId,
          command: serializeCommand(req.command),
          ...pickHeaders(ctx.requestHeader, config),
          ...optionsFromHeaders(ctx.requestHeader),
          requireJsonTypes: isJsonRequest(ctx),
        });
        return create(ProcessCommandResponseSchema, reply);
      });
    },
    async getState(req) {
      return guardRpc(async () => create(GetStateResponseSchema, await entities.getState(req.entityId)));
    },
  };
}
