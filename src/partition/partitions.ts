// The Worker's side of the partitions: which partition an entity belongs to, and a stub for each.
import type { Route } from "./batch.js";
import type { PartitionObject } from "./partition-object.js";
import { shardOf } from "./shard.js";

/** The partitions of this deployment and the way to reach each one's store. */
export interface Partitions {
  /** How many partitions there are (STATEHOUSE_PARTITIONS). */
  readonly count: number;
  /** COS_NUM_SHARDS: partitions are unions of shards. */
  readonly numShards: number;
  /** The shard of an entity id (CoS's hash bucket). */
  shardOf(entityId: string): number;
  /** The partition that owns a shard. */
  partitionOfShard(shard: number): number;
  /** The partition that owns an entity. */
  partitionOf(entityId: string): number;
  /** The store of partition `p`. */
  store(p: number): DurableObjectStub<PartitionObject>;
  /** Every partition number, 0 first. */
  readonly all: readonly number[];
  /** What a call to partition `p` says about the layout it routes by. */
  route(p: number): Route;
}

/** The name of partition `p`'s Durable Object in its namespace. */
export function partitionName(p: number): string {
  return `partition-${p}`;
}

/**
 * Partitions over the PARTITION namespace. A shard belongs to partition `shard % count`, so every
 * partition owns whole shards and the ByShard operations of CoS's manager reach exactly one.
 */
export function createPartitions(ns: DurableObjectNamespace<PartitionObject>, numShards: number, count: number): Partitions {
  // Ids are kept; stubs are not: a stub belongs to the request that made it, and these partitions serve many.
  const ids = new Map<number, DurableObjectId>();
  const partitionOfShard = (shard: number) => shard % count;
  return {
    count,
    numShards,
    shardOf: (entityId) => shardOf(entityId, numShards),
    partitionOfShard,
    partitionOf: (entityId) => partitionOfShard(shardOf(entityId, numShards)),
    store(p) {
      let id = ids.get(p);
      if (id === undefined) ids.set(p, (id = ns.idFromName(partitionName(p))));
      return ns.get(id);
    },
    all: Array.from({ length: count }, (_, i) => i),
    route: (partition) => ({ partition, partitions: count, numShards }),
  };
}
