// CoS's ReadSideManagerService over Statehouse's read sides (a "shard" is a hash bucket of entity ids).
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { ReadSideOffsetSchema } from "../gen/chief_of_state/v1/common_pb.js";
import type { ReadSideManagerService } from "../gen/chief_of_state/v1/readside_manager_pb.js";
import { StatehouseError } from "../errors.js";
import type { ReadSideManager } from "../readside/index.js";
import { guardRpc } from "./rpc-helpers.js";

/**
 * The manager's RPCs. Offsets are per shard: the number of events the read side has handled for
 * the entities of that shard. Skip moves past the failing head event of each failing entity.
 */
export function readSideManagerService(manager: ReadSideManager): ServiceImpl<typeof ReadSideManagerService> {
  const offsets = async (id: string, shard?: number) =>
    (await manager.offsets(id, shard)).map((o) =>
      create(ReadSideOffsetSchema, { clusterShardNumber: BigInt(o.shard), offset: BigInt(o.offset) }),
    );
  const ok = async (task: Promise<unknown>) => {
    await task;
    return { successful: true };
  };
  return {
    getLatestOffset: (req) => guardRpc(async () => ({ offsets: await offsets(id(req.readSideId)) })),
    getLatestOffsetByShard: (req) =>
      guardRpc(async () => ({ offsets: (await offsets(id(req.readSideId), shard(req.clusterShardNumber)))[0] })),
    restartReadSide: (req) => guardRpc(() => ok(manager.restart(id(req.readSideId)))),
    restartReadSideByShard: (req) => guardRpc(() => ok(manager.restart(id(req.readSideId), shard(req.clusterShardNumber)))),
    pauseReadSide: (req) => guardRpc(() => ok(manager.pause(id(req.readSideId)))),
    pauseReadSideByShard: (req) => guardRpc(() => ok(manager.pause(id(req.readSideId), shard(req.clusterShardNumber)))),
    resumeReadSide: (req) => guardRpc(() => ok(manager.resume(id(req.readSideId)))),
    resumeReadSideByShard: (req) => guardRpc(() => ok(manager.resume(id(req.readSideId), shard(req.clusterShardNumber)))),
    skipOffset: (req) => guardRpc(() => ok(manager.skip(id(req.readSideId)))),
    skipOffsetByShard: (req) => guardRpc(() => ok(manager.skip(id(req.readSideId), { shard: shard(req.clusterShardNumber) }))),
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
