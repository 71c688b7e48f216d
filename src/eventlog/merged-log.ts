// One page of the global log read across K partitions: merged by time, barriers honoured, resumable without gap.
import { StatehouseError } from "../errors.js";
import type { LogBarrier, LogEntry, LogQuery } from "./log-types.js";
import { payloadBytes } from "./segment-codec.js";
import type { PartitionLogPage } from "./segment-store.js";

/** The partitions' logs as a reader reaches them (a Durable Object per partition, or a fake in a test). */
export interface PartitionLogs {
  readonly count: number;
  /** One partition's page, with SegmentStore.read's meaning. */
  read(partition: number, query: LogQuery): Promise<PartitionLogPage>;
  /** One partition's newest offset and oldest retained one (SegmentStore.bounds). */
  bounds(partition: number): Promise<{ head: number; first: number }>;
}

/** A merged read: inclusive start offsets per partition (see log-position.ts), and LogQuery's bounds. */
export interface MergedRequest {
  from: number[];
  limit: number;
  type?: string;
  entity?: string;
  maxBytes: number;
}

/** A merged page. */
export interface MergedPage {
  /** Entries in the order read, each with its partition and offset. */
  entries: LogEntry[];
  /** Where the next read starts, per partition (inclusive): no gap and no duplicate in any partition. */
  next: number[];
  /** Each partition's newest offset, and the oldest it retains (for range checks). */
  head: number[];
  first: number[];
}

/** Where the merge stands in one partition's page. */
interface Cursor {
  page: PartitionLogPage;
  /** Entries of the page taken so far (they are taken in offset order). */
  taken: number;
}

/**
 * Reads every partition from its start in parallel and merges their entries by (appendedAt,
 * partition) until `limit` entries or `maxBytes` of payload (at least one entry). It never hands
 * out an entry behind a barrier before the barrier's partition is consumed through its offset
 * (counting what this page takes), and stops where a partition's fetched page ran out before its
 * head, so the next call goes on from there rather than jump ahead in time. Each partition reads
 * at most maxBytes / count, so a page's memory stays that of one read. With one partition it is
 * that partition's read: the same entries, and next = [nextOffset].
 */
export async function readMerged(partitions: PartitionLogs, req: MergedRequest): Promise<MergedPage> {
  const count = partitions.count;
  if (req.from.length !== count) {
    throw new StatehouseError("internal", `a merged read of ${count} partitions got ${req.from.length} start offsets`);
  }
  const maxBytes = Math.ceil(req.maxBytes / count);
  const pages = await Promise.all(req.from.map((from, p) => partitions.read(p, { from, limit: req.limit, type: req.type, entity: req.entity, maxBytes })));
  const cursors: Cursor[] = pages.map((page) => ({ page, taken: 0 }));
  for (const c of cursors) for (const b of c.page.barriers) checkBarrier(b, count);

  /**
   * The offset through which partition p counts as consumed: everything before its next untaken
   * entry (a filtered page's non-matching offsets included), or its whole page once all is taken,
   * but never past an offset one of its own unsatisfied barriers still holds back.
   */
  const consumed = (p: number, visiting: ReadonlySet<number>): number => {
    const c = cursors[p] as Cursor;
    const nextEntry = c.page.entries[c.taken];
    let through = nextEntry === undefined ? c.page.nextOffset - 1 : nextEntry.offset - 1;
    for (const b of c.page.barriers) {
      if (b.beforeOffset <= through && !satisfied(b, p, visiting)) through = b.beforeOffset - 1;
    }
    return through;
  };
  const satisfied = (b: LogBarrier, p: number, visiting: ReadonlySet<number>): boolean => {
    // A barrier on its own partition is kept by offset order; a cycle (a writer's bug) never opens.
    if (b.partition === p) return true;
    if (visiting.has(b.partition)) return false;
    return consumed(b.partition, new Set([...visiting, p])) >= b.offset;
  };
  const blocked = (p: number, e: LogEntry): boolean =>
    (cursors[p] as Cursor).page.barriers.some((b) => b.beforeOffset <= e.offset && !satisfied(b, p, new Set([p])));

  const entries: LogEntry[] = [];
  let bytes = 0;
  while (entries.length < req.limit) {
    let best: { p: number; e: LogEntry } | undefined;
    let ranOut = false;
    for (const [p, c] of cursors.entries()) {
      const e = c.page.entries[c.taken];
      if (e === undefined) {
        // Its next entries are unknown: anything taken from the others could be later than them.
        if (c.page.nextOffset <= c.page.headOffset) ranOut = true;
        continue;
      }
      if (blocked(p, e)) continue;
      if (best === undefined || e.appendedAt < best.e.appendedAt) best = { p, e };
    }
    if (ranOut || best === undefined) break;
    const size = payloadBytes(best.e);
    if (entries.length > 0 && bytes + size > req.maxBytes) break;
    entries.push(best.e.partition === best.p ? best.e : { ...best.e, partition: best.p });
    bytes += size;
    (cursors[best.p] as Cursor).taken++;
  }

  return {
    entries,
    next: cursors.map((_, p) => consumed(p, new Set()) + 1),
    head: pages.map((page) => page.headOffset),
    first: pages.map((page) => page.firstOffset),
  };
}

function checkBarrier(b: LogBarrier, count: number): void {
  if (b.partition >= count) {
    throw new StatehouseError("internal", `a log barrier waits for partition ${b.partition}, but the log has ${count} partitions`);
  }
}
