// The two deployments of a 1 → 2 resize as the int tests drive them: the old consumer's route
// (everything to partition 0), the new layout, and the cursor updates a consumer commits.
import { env } from "cloudflare:test";
import { type CursorUpdate, freshCursor } from "../../src/partition/index.js";
import { freshId } from "../helpers.js";
import { partitionsOf } from "../support/pipeline.js";

/** The layout after the resize: two partitions. */
export const p2 = partitionsOf({ ...env, STATEHOUSE_PARTITIONS: "2" } as Env);
/** How the old deployment's consumer routes: everything to partition 0. */
export const old = { partition: 0, partitions: 1, numShards: p2.numShards };

/** A fresh entity id that partition `p` owns once there are two partitions (optionally not in `other`'s shard). */
export function entityIn(p: number, other?: string): string {
  for (;;) {
    const e = freshId("own");
    if (p2.partitionOf(e) === p && (other === undefined || p2.shardOf(e) !== p2.shardOf(other))) return e;
  }
}

/** The consumer's cursor update for a delivery of revisions 1..to that succeeded. */
export function delivered(side: string, generation: string, entityId: string, to: number): CursorUpdate {
  return {
    key: { readSideId: side, entityId, shard: p2.shardOf(entityId) },
    from: freshCursor(generation),
    revision: to,
    status: "ok",
    attempts: 0,
    failedRevision: 0,
    lastError: null,
    retryAt: 0,
  };
}
