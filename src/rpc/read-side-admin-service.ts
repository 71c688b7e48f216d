// statehouse.v1.ReadSideAdminService: create, update, get, list and delete read side definitions.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { ReadSideAdminService } from "../gen/statehouse/v1/read_sides_pb.js";
import { patchFromUpdate, readSideMessage, specFromDefinition } from "./read-side-messages.js";
import { requestValues } from "./request-values.js";

/**
 * The Connect form of the admin API's definitions; same validation and errors as the HTTP JSON form.
 * The manager is the request's (see request-values.ts).
 */
export function readSideAdminService(): ServiceImpl<typeof ReadSideAdminService> {
  const manager = (ctx: HandlerContext) => requestValues(ctx).readSides;
  const specOptions = (ctx: HandlerContext) => ({ allowLocalHttp: requestValues(ctx).config.allowLocalHttp });
  return {
    createReadSide: async (req, ctx) => readSideMessage(await manager(ctx).create(specFromDefinition(req.readSide, specOptions(ctx)))),
    updateReadSide: async (req, ctx) => {
      const { id, patch } = patchFromUpdate(req, specOptions(ctx));
      return readSideMessage(await manager(ctx).update(id, patch));
    },
    getReadSide: async (req, ctx) => readSideMessage(await manager(ctx).get(req.readSideId)),
    listReadSides: async (_req, ctx) => ({ readSides: (await manager(ctx).list()).map(readSideMessage) }),
    deleteReadSide: async (req, ctx) => {
      await manager(ctx).remove(req.readSideId);
      return {};
    },
  };
}
