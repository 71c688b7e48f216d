// D1 access for named consumers' positions in the log (sh_log_consumer), as eskit's consumer store kept them.

/** Where a named consumer stands: the position it last handled ("15" with one partition, "15-0-7" with several). */
export interface ConsumerPosition {
  consumerId: string;
  position: string;
  updatedAt: number;
}

/** Reads and writes consumer positions. */
export interface PositionStore {
  set(consumerId: string, position: string, now: number): Promise<ConsumerPosition>;
  get(consumerId: string): Promise<ConsumerPosition | undefined>;
  /** Every position, by consumer id, at most `limit` after `after`. */
  list(after: string, limit: number): Promise<ConsumerPosition[]>;
}

type PositionRow = { consumer_id: string; log_offset: number; position: string | null; updated_at: number };

/**
 * A PositionStore over D1. A position is kept as text; with one partition it is the offset, also
 * kept in `log_offset` as before partitions (so a row written by either version reads the same).
 */
export function createPositionStore(db: D1Database): PositionStore {
  return {
    async set(consumerId, position, now) {
      const offset = /^\d+$/.test(position) ? Number(position) : 0;
      await db
        .prepare(
          `INSERT INTO sh_log_consumer (consumer_id, log_offset, position, updated_at) VALUES (?1, ?2, ?3, ?4)
           ON CONFLICT (consumer_id) DO UPDATE SET log_offset = excluded.log_offset, position = excluded.position, updated_at = excluded.updated_at`,
        )
        .bind(consumerId, offset, position, now)
        .run();
      return { consumerId, position, updatedAt: now };
    },
    async get(consumerId) {
      const row = await db.prepare("SELECT * FROM sh_log_consumer WHERE consumer_id = ?").bind(consumerId).first<PositionRow>();
      return row === null ? undefined : toPosition(row);
    },
    async list(after, limit) {
      const rows = await db
        .prepare("SELECT * FROM sh_log_consumer WHERE consumer_id > ? ORDER BY consumer_id LIMIT ?")
        .bind(after, limit)
        .all<PositionRow>();
      return rows.results.map(toPosition);
    },
  };
}

function toPosition(r: PositionRow): ConsumerPosition {
  return { consumerId: r.consumer_id, position: r.position ?? String(r.log_offset), updatedAt: r.updated_at };
}
