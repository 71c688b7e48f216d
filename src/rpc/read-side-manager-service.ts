// CoS's ReadSideManagerService over Statehouse's read sides (a "shard" is a hash bucket of entity ids).
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { ReadSideOffsetSchema } from "../gen/chief_of_state/v1/common_pb.js";
import type { ReadSideManagerService } from "../gen/chief_of_state/v1/readside_manager_pb.js";
import { StatehouseError } from "../errors.js";
import { requestValues } from "./request-values.js";

/**
 * The manager's RPCs. Offsets are per shard: the number of events the read side has handled for
 * the entities of that shard. Skip moves past the failing head event of each failing entity. The
 * manager is the request's (see request-values.ts).
 */
export function readSideManagerService(): ServiceImpl<typeof ReadSideManagerService> {
  const offsets = async (ctx: HandlerContext, id: string, shard?: number) =>
    (await requestValues(ctx).readSides.offsets(id, shard)).map((o) =>
      create(ReadSideOffsetSchema, { clusterShardNumber: BigInt(o.shard), offset: BigInt(o.offset) }),
    );
  const ok = async (task: Promise<unknown>) => {
    await task;
    return { successful: true };
  };
  const manager = (ctx: HandlerContext) => requestValues(ctx).readSides;
  return {
    getLatestOffset: async (req, ctx) => ({ offsets: await offsets(ctx, id(req.readSideId)) }),
    getLatestOffsetByShard: async (req, ctx) => ({
      offsets: (await offsets(ctx, id(req.readSideId), shard(req.clusterShardNumber)))[0],
    }),
    restartReadSide: async (req, ctx) => ok(manager(ctx).restart(id(req.readSideId))),
    restartReadSideByShard: async (req, ctx) => ok(manager(ctx).restart(id(req.readSideId), shard(req.clusterShardNumber))),
    pauseReadSide: async (req, ctx) => ok(manager(ctx).pause(id(req.readSideId))),
    pauseReadSideByShard: async (req, ctx) => ok(manager(ctx).pause(id(req.readSideId), shard(req.clusterShardNumber))),
    resumeReadSide: async (req, ctx) => ok(manager(ctx).resume(id(req.readSideId))),
    resumeReadSideByShard: async (req, ctx) => ok(manager(ctx).resume(id(req.readSideId), shard(req.clusterShardNumber))),
    skipOffset: async (req, ctx) => ok(manager(ctx).skip(id(req.readSideId))),
    skipOffsetByShard: async (req, ctx) => ok(manager(ctx).skip(id(req.readSideId), { shard: shard(req.clusterShardNumber) })),
  };
}

function id(readSideId: string): string {
  if (readSideId === "") throw new StatehouseError("invalid_argument", "read_side_id is required");
  return readSideId;
}

function shard(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new StatehouseError("invalid_argument", `shard ${n} does not exist`);
  return Number(n);
}
