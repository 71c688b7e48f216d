// Entities by id prefix, across every partition's entity index.
import type { IndexedEntity } from "./entity-index.js";
import { compareIds } from "./id-order.js";
import type { Partitions } from "./partitions.js";

/** A page of entities found by prefix: ids in order, each once (a shard moving in a resize is in two partitions). */
export async function findEntities(partitions: Partitions, q: { prefix: string; after: string; limit: number }): Promise<IndexedEntity[]> {
  const pages = await Promise.all(partitions.all.map((p) => partitions.store(p).findEntities(q.prefix, q.after, q.limit)));
  const byId = new Map<string, IndexedEntity>();
  for (const e of pages.flat()) {
    const seen = byId.get(e.entityId);
    if (seen === undefined || e.headRevision > seen.headRevision) byId.set(e.entityId, e);
  }
  return [...byId.values()].sort((a, b) => compareIds(a.entityId, b.entityId)).slice(0, q.limit);
}
