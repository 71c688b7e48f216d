// D1 access for the global event log (sh_log): conditional appends, reads by offset, retention.
import { decodeBase64Lenient as fromBase64Field, encodeBase64 as toBase64 } from "../payload/index.js";

const fromBase64 = (text: string) => fromBase64Field(text, "log payload");

/** The built-in read side that appends to the log; its cursors are ordinary sh_cursor rows. */
export const LOG_READ_SIDE_ID = "$log";

/** One event as the log stores it: protobuf bytes from the journal, base64 in D1. */
export interface LogRow {
  entityId: string;
  revision: number;
  /** The event's fully qualified type name, or an eskit event's own event_type. */
  eventType: string;
  /** Whether the event is an eskit event (contracts.eventstore.Event), so eventType is its event_type. */
  eskit?: boolean;
  /** Serialized google.protobuf.Any; undefined when it was too large for a D1 row. */
  event: Uint8Array | undefined;
  /** Serialized chief_of_state.v1.MetaData. */
  meta: Uint8Array;
  /** Serialized resulting state (google.protobuf.Any), when the log keeps states. */
  state: Uint8Array | undefined;
}

/** The rows one consumer batch appends for one entity, and the `$log` cursor they continue from. */
export interface LogAppend {
  entityId: string;
  /** The `$log` read side's generation and the cursor's epoch and revision the rows follow. */
  generation: string;
  epoch: number;
  fromRevision: number;
  rows: LogRow[];
}

/** A log row as read back, with its offset. */
export interface LogEntry extends LogRow {
  /**
   * The partition whose log holds it, from 0. Undefined means partition 0: the log in D1 and the
   * Queue consumer's live messages do not set it (to become required once every producer does).
   */
  partition?: number;
  /** Its offset in that partition's log. */
  offset: number;
  appendedAt: number;
  /**
   * The barriers whose beforeOffset is this entry's offset (set by a partition's reads and appends,
   * on that entry only): this entry and the ones after it in its partition may be handed out only
   * once each barrier's partition has been consumed through its offset.
   */
  barriers?: LogBarrier[];
}

/**
 * A partition log's barrier, written when a resize moves shards to this partition from
 * `partition`: entries from `beforeOffset` on may be read only once the reader has consumed
 * `partition` up to and including `offset`, so a moved entity is never read out of revision order.
 */
export interface LogBarrier {
  beforeOffset: number;
  partition: number;
  offset: number;
}

/** A page of the log. */
export interface LogPage {
  entries: LogEntry[];
  /** Where the next read starts (the offset after the last one examined). */
  nextOffset: number;
  /** The newest offset in the log (0 when nothing was ever appended). */
  headOffset: number;
  /** The oldest offset retention has kept (headOffset + 1 when the log is empty). */
  firstOffset: number;
}

/** A read: from an offset (inclusive), at most `limit` entries, optionally of types matching a glob. */
export interface LogQuery {
  from: number;
  limit: number;
  /** A GLOB over event type names (`bank.v1.*`); undefined for every type. */
  type?: string;
  /** Entries stop once their payloads pass this many bytes (at least one is returned). */
  maxBytes: number;
}

/** How much of the log retention keeps; 0 turns a bound off. */
export interface LogRetention {
  days: number;
  events: number;
}

/** Offsets a type-filtered read examines at most, so a rare type never scans the whole log. */
export const LOG_SCAN_WINDOW = 5000;
/** Rows one retention statement deletes; a run repeats it a bounded number of times. */
export const LOG_TRIM_CHUNK = 5000;
/** A parameter's JSON this large starts a new statement (D1 caps a row, and a value, at 2 MB). */
const APPEND_CHUNK_CHARS = 900_000;

/** Reads and trims the log; appends are statements the consumer puts in its own commit batch. */
export interface LogStore {
  read(query: LogQuery): Promise<LogPage>;
  /** The newest offset (0 when nothing was ever appended). */
  head(): Promise<number>;
  /** Deletes the oldest rows retention no longer keeps, up to the first it keeps and never the newest; returns how many went. */
  trim(retention: LogRetention, now: number, maxChunks: number): Promise<number>;
}

type LogRecord = {
  log_offset: number;
  entity_id: string;
  revision: number;
  event_type: string;
  event: string | null;
  meta: string;
  state: string | null;
  appended_at: number;
};

/**
 * The condition under which a row of json_each `j` ({e: entity, g: `$log` generation, from:
 * "epoch:revision"}) belongs to an append that takes: the `$log` read side still has generation g
 * and the entity's `$log` cursor is still at `from`. True until the commit's cursor write moves it,
 * so every statement of the commit placed before that write can use it.
 */
export const LOG_APPEND_TAKES = `j.value ->> 'g' = (SELECT generation FROM sh_read_side WHERE id = '${LOG_READ_SIDE_ID}')
  AND j.value ->> 'from' = coalesce((SELECT c.epoch || ':' || c.revision FROM sh_cursor c
    WHERE c.read_side_id = '${LOG_READ_SIDE_ID}' AND c.entity_id = j.value ->> 'e' AND c.generation = j.value ->> 'g'), '0:0')`;

/**
 * The statements that append `appends` to the log, each row only while the entity's `$log` cursor
 * is still where the delivery read it — the same compare-and-set the cursor write that follows
 * them in the batch makes — so a racing consumer can neither append an event twice nor out of
 * order. Offsets follow the order of `appends` and of each one's rows. RETURNING gives them back.
 */
export function logAppendStatements(db: D1Database, appends: LogAppend[], now: number): D1PreparedStatement[] {
  const chunks: string[][] = [[]];
  let size = 0;
  for (const a of appends) {
    for (const r of a.rows) {
      const json = JSON.stringify({
        e: a.entityId,
        g: a.generation,
        from: `${a.epoch}:${a.fromRevision}`,
        r: r.revision,
        t: r.eventType,
        ev: r.event === undefined ? null : toBase64(r.event),
        m: toBase64(r.meta),
        s: r.state === undefined ? null : toBase64(r.state),
      });
      if (size > 0 && size + json.length > APPEND_CHUNK_CHARS) {
        chunks.push([]);
        size = 0;
      }
      (chunks.at(-1) as string[]).push(json);
      size += json.length;
    }
  }
  return chunks
    .filter((c) => c.length > 0)
    .map((c) =>
      db
        .prepare(
          `INSERT INTO sh_log (entity_id, revision, event_type, event, meta, state, appended_at)
           SELECT j.value ->> 'e', j.value ->> 'r', j.value ->> 't', j.value ->> 'ev', j.value ->> 'm', j.value ->> 's', ?2
           FROM json_each(?1) j
           WHERE ${LOG_APPEND_TAKES}
           ORDER BY j.key
           RETURNING log_offset, entity_id, revision`,
        )
        .bind(`[${c.join(",")}]`, now),
    );
}

/** A LogStore over D1. */
export function createLogStore(db: D1Database): LogStore {
  return {
    async read(q) {
      // A filtered read examines a window of offsets from where the log really starts.
      const window = q.type === undefined ? "" : `AND log_offset < max(?1, (SELECT coalesce(min(log_offset), 0) FROM sh_log)) + ${LOG_SCAN_WINDOW}`;
      const filter = q.type === undefined ? "" : "AND event_type GLOB ?3";
      const params: (string | number)[] = [q.from, q.limit];
      if (q.type !== undefined) params.push(q.type);
      // The page is cut at maxBytes inside D1 (a running sum over at most `limit` rows), so a page of
      // large entries is never loaded whole into the Worker's memory; the first entry always comes.
      const [bounds, rows] = await db.batch([
        db.prepare("SELECT coalesce(max(log_offset), 0) AS head, coalesce(min(log_offset), 0) AS first FROM sh_log"),
        db
          .prepare(
            `WITH page AS (
               SELECT log_offset, length(meta) + coalesce(length(event), 0) + coalesce(length(state), 0) AS size
               FROM sh_log WHERE log_offset >= ?1 ${window} ${filter} ORDER BY log_offset LIMIT ?2),
             sized AS (SELECT log_offset, sum(size) OVER (ORDER BY log_offset) AS upto FROM page)
             SELECT l.*, (SELECT count(*) FROM page) AS page_rows
             FROM sized s JOIN sh_log l ON l.log_offset = s.log_offset
             WHERE s.upto <= ?${params.length + 1} OR s.log_offset = (SELECT min(log_offset) FROM page)
             ORDER BY l.log_offset`,
          )
          .bind(...params, q.maxBytes),
      ]);
      const { head, first } = (bounds?.results[0] ?? { head: 0, first: 0 }) as { head: number; first: number };
      const records = (rows?.results ?? []) as (LogRecord & { page_rows: number })[];
      const entries = records.map(toEntry);
      const pageRows = records[0]?.page_rows ?? 0;
      const last = entries.at(-1)?.offset;
      const cut = entries.length < pageRows || entries.length === q.limit;
      // A filtered read that found fewer than asked has examined its whole window (or reached the head).
      const nextOffset =
        cut || q.type === undefined ? (last === undefined ? q.from : last + 1) : Math.max(q.from, Math.min(Math.max(q.from, first) + LOG_SCAN_WINDOW, head + 1));
      return { entries, nextOffset, headOffset: head, firstOffset: head === 0 ? 1 : first };
    },
    async head() {
      const row = await db.prepare("SELECT coalesce(max(log_offset), 0) AS head FROM sh_log").first<{ head: number }>();
      return row?.head ?? 0;
    },
    async trim(retention, now, maxChunks) {
      let deleted = 0;
      for (let i = 0; i < maxChunks; i++) {
        // Only the oldest rows up to the first one retention keeps go: appended_at is each
        // consumer's clock at its commit, not monotone in offset, and a hole would be skipped silently.
        const res = await db
          .prepare(
            `WITH o AS (SELECT log_offset, appended_at FROM sh_log ORDER BY log_offset LIMIT ${LOG_TRIM_CHUNK}),
               head AS (SELECT max(log_offset) AS h FROM sh_log),
               kept AS (SELECT min(o.log_offset) AS k FROM o, head
                 WHERE NOT ((?1 > 0 AND o.appended_at < ?2) OR (?3 > 0 AND o.log_offset <= head.h - ?3)))
             DELETE FROM sh_log WHERE log_offset IN (
               SELECT o.log_offset FROM o, head, kept WHERE o.log_offset < head.h AND (kept.k IS NULL OR o.log_offset < kept.k))`,
          )
          .bind(retention.days, now - retention.days * 86_400_000, retention.events)
          .run();
        deleted += res.meta.changes;
        if (res.meta.changes < LOG_TRIM_CHUNK) break;
      }
      return deleted;
    },
  };
}

function toEntry(r: LogRecord): LogEntry {
  return {
    offset: r.log_offset,
    entityId: r.entity_id,
    revision: r.revision,
    eventType: r.event_type,
    event: r.event === null ? undefined : fromBase64(r.event),
    meta: fromBase64(r.meta),
    state: r.state === null ? undefined : fromBase64(r.state),
    appendedAt: r.appended_at,
  };
}
