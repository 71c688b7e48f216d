// CoS's "shard" for an entity id: a stable hash bucket, so the ByShard RPCs keep their meaning.

/**
 * The shard of an entity id: Java's String.hashCode modulo the shard count, the bucketing CoS
 * inherits from Akka's HashCodeMessageExtractor, so an id lands in the same shard number here.
 */
export function shardOf(entityId: string, numShards: number): number {
  let h = 0;
  for (let i = 0; i < entityId.length; i++) h = (Math.imul(31, h) + entityId.charCodeAt(i)) | 0;
  return Math.abs(h) % numShards;
}

/** The event tag CoS sends in `x-cos-event-tag` for a shard. */
export function eventTag(shard: number): string {
  return `chiefofstate${shard}`;
}
