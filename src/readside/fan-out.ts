// Operator reads and writes across partitions: each goes to the partition a scope names, or to all of them and adds up.
import { type CursorScope, type CursorSummary, type CursorView, type ParkedView, type Partitions, compareIds } from "../partition/index.js";

/** The partitions a scope reaches: one entity's or one shard's partition, or every partition. */
export function partitionsOf(partitions: Partitions, scope: CursorScope): readonly number[] {
  if (scope.entityId !== undefined) return [partitions.partitionOf(scope.entityId)];
  if (scope.shard !== undefined) return [partitions.partitionOfShard(scope.shard)];
  return partitions.all;
}

/** A page of cursors in scope across partitions, by entity id. */
export async function listCursors(partitions: Partitions, readSideId: string, scope: CursorScope, opts: { after?: string; limit: number; failingOnly?: boolean }): Promise<CursorView[]> {
  const pages = await Promise.all(partitionsOf(partitions, scope).map((p) => partitions.store(p).cursors(readSideId, scope, opts)));
  return pages
    .flat()
    .sort((a, b) => compare(a.entityId, b.entityId))
    .slice(0, opts.limit);
}

/** A read side's totals over every partition. */
export async function summarize(partitions: Partitions, readSideId: string): Promise<CursorSummary> {
  const parts = await Promise.all(partitions.all.map((p) => partitions.store(p).summary(readSideId)));
  return parts.reduce(
    (a, s) => ({
      entities: a.entities + s.entities,
      lag: a.lag + s.lag,
      // A shard lives in one partition (during a resize, in two: its sum).
      lagByShard: addByShard(a.lagByShard, s.lagByShard),
      waitingSinceByShard: oldestByShard(a, s),
      retrying: a.retrying + s.retrying,
      stopped: a.stopped + s.stopped,
      parked: a.parked + s.parked,
    }),
    { entities: 0, lag: 0, lagByShard: {}, waitingSinceByShard: {}, retrying: 0, stopped: 0, parked: 0 },
  );
}

function addByShard(a: Record<number, number>, b: Record<number, number>): Record<number, number> {
  const sum = { ...a };
  for (const [shard, n] of Object.entries(b)) sum[Number(shard)] = (sum[Number(shard)] ?? 0) + n;
  return sum;
}

/**
 * The oldest wait of each shard over two partitions' totals (a shard in two during a resize); not
 * known where either has the shard lagging without a known wait.
 */
function oldestByShard(a: Pick<CursorSummary, "lagByShard" | "waitingSinceByShard">, b: Pick<CursorSummary, "lagByShard" | "waitingSinceByShard">): Record<number, number> {
  const oldest: Record<number, number> = {};
  const shards = new Set([...Object.keys(a.lagByShard), ...Object.keys(b.lagByShard)].map(Number));
  for (const shard of shards) {
    const waits: number[] = [];
    let unknown = false;
    for (const s of [a, b]) {
      if ((s.lagByShard[shard] ?? 0) === 0) continue;
      const since = s.waitingSinceByShard[shard];
      if (since === undefined) unknown = true;
      else waits.push(since);
    }
    if (!unknown && waits.length > 0) oldest[shard] = Math.min(...waits);
  }
  return oldest;
}

/** Events handled per shard over every partition (a shard lives in one; during a resize, its sum). */
export async function offsetsByShard(partitions: Partitions, readSideId: string): Promise<Map<number, number>> {
  const parts = await Promise.all(partitions.all.map((p) => partitions.store(p).offsetsByShard(readSideId)));
  const total = new Map<number, number>();
  for (const m of parts) for (const [shard, n] of m) total.set(shard, (total.get(shard) ?? 0) + n);
  return total;
}

/** Runs a scoped write in each partition the scope reaches; the sum of what each reports. */
export async function eachPartition(partitions: Partitions, scope: CursorScope, write: (p: number) => Promise<number | void>): Promise<number> {
  const counts = await Promise.all(partitionsOf(partitions, scope).map((p) => write(p)));
  return counts.reduce<number>((a, n) => a + (n ?? 0), 0);
}

/** A read side's parked events (optionally one entity's), by entity id and revision, across partitions. */
export async function listParked(partitions: Partitions, readSideId: string, query: { entityId?: string; limit: number }): Promise<ParkedView[]> {
  const pages = await Promise.all(partitionsOf(partitions, { entityId: query.entityId }).map((p) => partitions.store(p).listParked(readSideId, query)));
  return pages
    .flat()
    .sort((a, b) => compare(a.entityId, b.entityId) || a.revision - b.revision)
    .slice(0, query.limit);
}

/** Entity ids in the order the partition stores page them (`after`). */
const compare = compareIds;
