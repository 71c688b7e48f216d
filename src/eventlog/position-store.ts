// D1 access for named consumers' positions in the log (sh_log_consumer), as eskit's consumer store kept them.

/** Where a named consumer stands: the last log offset it handled. */
export interface ConsumerPosition {
  consumerId: string;
  offset: number;
  updatedAt: number;
}

/** Reads and writes consumer positions. */
export interface PositionStore {
  set(consumerId: string, offset: number, now: number): Promise<ConsumerPosition>;
  get(consumerId: string): Promise<ConsumerPosition | undefined>;
  /** Every position, by consumer id, at most `limit` after `after`. */
  list(after: string, limit: number): Promise<ConsumerPosition[]>;
}

type PositionRow = { consumer_id: string; log_offset: number; updated_at: number };

/** A PositionStore over D1. */
export function createPositionStore(db: D1Database): PositionStore {
  return {
    async set(consumerId, offset, now) {
      await db
        .prepare(
          `INSERT INTO sh_log_consumer (consumer_id, log_offset, updated_at) VALUES (?1, ?2, ?3)
           ON CONFLICT (consumer_id) DO UPDATE SET log_offset = excluded.log_offset, updated_at = excluded.updated_at`,
        )
        .bind(consumerId, offset, now)
        .run();
      return { consumerId, offset, updatedAt: now };
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
  return { consumerId: r.consumer_id, offset: r.log_offset, updatedAt: r.updated_at };
}
