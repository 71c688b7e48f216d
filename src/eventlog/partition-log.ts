// One partition's whole log: the hot segments in its store and the older ones archived in object storage, read as one.
import { StatehouseError } from "../errors.js";
import { log as logger } from "../log.js";
import {
  type ArchiveBucket,
  type ArchivePolicy,
  type ArchivedObject,
  archiveBounds,
  archiveKey,
  archiveSegments,
  archivedObjects,
  dropLeftovers,
  dueForArchive,
  expiredArchive,
  forgetArchived,
  loadArchived,
  notePending,
  recordArchived,
} from "./log-archive.js";
import type { LogCounterDelta } from "./segment-counters.js";
import { payloadBytes } from "./segment-codec.js";
import { type AppendResult, type PartitionLogPage, type SegmentStore } from "./segment-store.js";
import { PageFill } from "./page-fill.js";
import { LOG_SCAN_WINDOW, isFiltered, type LogBarrier, type LogEntry, type LogQuery, type LogRetention, type LogRow } from "./log-types.js";

/** Archive objects one index query lists (a page reads on with the next query). */
const ARCHIVE_LIST_BATCH = 64;

/** Archive objects a partition keeps decoded in memory: a sequential reader reads one object page by page; more would crowd the 128 MB an isolate has. */
const CACHED_OBJECTS = 2;

/** What a partition's log needs from its object: its SQLite, its transactions, its bucket (if any). */
export interface PartitionLogDeps {
  sql: SqlStorage;
  segments: SegmentStore;
  /** Runs `fn` in one SQLite transaction (ctx.storage.transactionSync). */
  transact<T>(fn: () => T): T;
  /** Where older segments go; undefined: nothing is archived (retention alone bounds the log). */
  bucket(): ArchiveBucket | undefined;
  partition: () => number;
}

/** One partition's log across its hot store and its archive. */
export interface PartitionLog {
  append(rows: readonly LogRow[], now: number, counters: readonly LogCounterDelta[]): AppendResult | undefined;
  /** A page from `from`, wherever its entries are: the archive first, then the hot segments. */
  read(q: LogQuery): Promise<PartitionLogPage>;
  /** The newest offset, the oldest retained (archived or hot), and the oldest hot one. */
  bounds(): { head: number; first: number; hotFirst: number };
  /** Entries held in the partition's own store. */
  hotEntries(): number;
  /**
   * Whether the store is full: `cap` or more entries before its newest segment. The newest
   * segment (one batch) does not count, so a full store always has something to archive.
   */
  full(cap: number): boolean;
  /**
   * Archives one object's worth of the oldest hot segments when more than `policy.hotEntries`
   * entries are hot (a short tail too when `tail`); the entries archived (0: nothing due, or no bucket).
   */
  archive(policy: ArchivePolicy, tail?: boolean): Promise<number>;
  /** Retention over both tiers: archive objects first (whole objects), then hot segments; entries deleted. */
  trim(retention: LogRetention, now: number, maxSegments: number): Promise<number>;
}

/** The log over `deps`. */
export function createPartitionLog(deps: PartitionLogDeps): PartitionLog {
  const { sql, segments } = deps;
  const cache = new Map<string, Promise<LogEntry[]>>();
  // Archiving and retention run one at a time: each chooses from what the other changes.
  let busy: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = busy.then(fn, fn);
    busy = run.catch(() => undefined);
    return run;
  };

  const objectEntries = (o: ArchivedObject): Promise<LogEntry[]> => {
    const bucket = deps.bucket();
    if (bucket === undefined) throw new StatehouseError("unavailable", `the log's offsets ${o.first}–${o.last} are archived, but no LOG_ARCHIVE bucket is bound`);
    let found = cache.get(o.key);
    if (found === undefined) {
      found = loadArchived(bucket, o, deps.partition());
      found.catch(() => cache.delete(o.key));
      cache.set(o.key, found);
      while (cache.size > CACHED_OBJECTS) cache.delete(cache.keys().next().value as string);
    } else {
      // Most recently used last.
      cache.delete(o.key);
      cache.set(o.key, found);
    }
    return found;
  };

  const bounds = () => {
    const hot = segments.bounds();
    const archived = archiveBounds(sql);
    return { head: hot.head, first: archived?.first ?? hot.first, hotFirst: hot.first };
  };

  const log: PartitionLog = {
    append: (rows, now, counters) => segments.append(rows, now, counters),

    async read(q) {
      const { head, first, hotFirst } = bounds();
      const start = Math.max(q.from, first);
      if (start >= hotFirst) return { ...segments.read({ ...q, from: start }), firstOffset: first };
      // Archive first: whole objects from the one holding `start`, skipped by type without fetching.
      const windowEnd = isFiltered(q) ? start + LOG_SCAN_WINDOW : Number.MAX_SAFE_INTEGER;
      const page = new PageFill(q, start, windowEnd);
      // The offset through which the archive was examined.
      let covered = start - 1;
      // Retention deleted archived offsets past `covered` while this read waited for the bucket.
      let overtaken = false;
      let listFrom = start;
      scan: for (;;) {
        const listed = archivedObjects(sql, { from: listFrom, type: q.type, limit: ARCHIVE_LIST_BATCH });
        for (const o of listed) {
          if (o.first >= windowEnd || o.first >= hotFirst) break scan;
          let loaded: LogEntry[];
          try {
            loaded = await objectEntries(o);
          } catch (cause) {
            // An object retention deleted while this read waited is gone by retention, not lost.
            if (bounds().first <= o.first) throw cause;
            overtaken = true;
            break scan;
          }
          covered = Math.min(o.last, windowEnd - 1);
          for (const e of loaded) {
            if (!page.offer(e)) break scan;
          }
          if (bounds().first > covered + 1) {
            overtaken = true;
            break scan;
          }
        }
        if (listed.length < ARCHIVE_LIST_BATCH) break;
        listFrom = (listed.at(-1) as ArchivedObject).last + 1;
      }
      const { entries, cut, bytes } = page;
      // Nothing read before retention passed `start`: read again from what it kept.
      if (overtaken && !cut && covered < start) return log.read(q);
      let nextOffset: number;
      if (cut) {
        nextOffset = (entries.at(-1) as LogEntry).offset + 1;
      } else if (overtaken) {
        nextOffset = covered + 1;
      } else if (windowEnd <= hotFirst) {
        // A filtered read that examined its whole window inside the archive.
        nextOffset = windowEnd;
      } else if (segments.bounds().first !== hotFirst) {
        // Archiving moved hot segments while this read waited for the bucket: the next page reads them where they are now.
        nextOffset = covered + 1;
      } else {
        // Everything archived from `start` on was read: go on in the hot segments.
        const rest = segments.read({ from: hotFirst, limit: q.limit - entries.length, type: q.type, entity: q.entity, maxBytes: Math.max(0, q.maxBytes - bytes), windowEnd });
        const firstHot = rest.entries[0];
        if (entries.length > 0 && firstHot !== undefined && payloadBytes(firstHot) > q.maxBytes - bytes) {
          // A hot read always answers one entry; this page is full without it.
          nextOffset = firstHot.offset;
        } else {
          entries.push(...rest.entries);
          nextOffset = rest.nextOffset;
        }
      }
      const barriers: LogBarrier[] = segments.barriers(q.from, nextOffset);
      // Archived entries come from the shared cache: an entry that gets barriers is a copy.
      const index = new Map(entries.map((e, i) => [e.offset, i]));
      for (const b of barriers) {
        const i = index.get(b.beforeOffset);
        const e = i === undefined ? undefined : entries[i];
        if (i === undefined || e === undefined || (e.barriers ?? []).some((x) => x.partition === b.partition && x.offset === b.offset)) continue;
        entries[i] = { ...e, barriers: [...(e.barriers ?? []), b] };
      }
      return { entries, nextOffset, headOffset: head, firstOffset: first, barriers };
    },

    bounds,

    hotEntries() {
      const { head, hotFirst } = bounds();
      return head >= hotFirst ? head - hotFirst + 1 : 0;
    },

    full(cap) {
      return segments.newestFirst() - bounds().hotFirst >= cap;
    },

    async archive(policy, tail = false) {
      const bucket = deps.bucket();
      if (bucket === undefined) return 0;
      return exclusive(async () => {
        await dropLeftovers(sql, bucket);
        const due = dueForArchive(segments, segments.bounds().head, policy, tail ? 1 : policy.objectEntries);
        if (due === undefined) return 0;
        notePending(sql, archiveKey(deps.partition(), due.first, due.last));
        const done = await archiveSegments(segments, bucket, deps.partition(), due);
        deps.transact(() => recordArchived(sql, segments, due, done.key, done.body.byteLength));
        return done.entries;
      });
    },

    trim: (retention, now, maxSegments) =>
      exclusive(async () => {
        const { head } = bounds();
        let deleted = 0;
        const leftovers = deps.bucket();
        if (leftovers !== undefined) await dropLeftovers(sql, leftovers);
        const expired = expiredArchive(sql, retention, now, head, maxSegments);
        if (expired.length > 0) {
          const bucket = deps.bucket();
          if (bucket !== undefined) {
            await bucket.delete(expired.map((o) => o.key));
          } else {
            // The bucket was unbound after it held objects: retention still frees the store (else it
            // would wait for them forever); the objects stay in the bucket, for its lifecycle rules.
            logger.warn(`statehouse: retention forgets ${expired.length} archive objects of partition ${deps.partition()} without deleting them: no LOG_ARCHIVE bucket is bound`, {
              partition: deps.partition(),
              objects: expired.map((o) => o.key),
            });
          }
          deps.transact(() => forgetArchived(sql, expired));
          for (const o of expired) {
            cache.delete(o.key);
            deleted += o.last - o.first + 1;
          }
        }
        // Hot segments go only once nothing older is archived: a hole would be skipped silently.
        if (archiveBounds(sql) === undefined) deleted += deps.transact(() => segments.trim(retention, now, maxSegments));
        return deleted;
      }),
  };
  return log;
}
