// D1 access for dead letters: queue messages that exhausted their retries, recorded for replay.

/** A queue message that exhausted its retries. */
export interface DeadLetter {
  id: number;
  queue: string;
  body: string;
  attempts: number;
  receivedAt: number;
  replayedAt: number | null;
}

/** Records, lists and marks dead letters. */
export interface DeadLetterStore {
  record(letters: { queue: string; body: string; attempts: number }[], now: number): Promise<void>;
  list(opts: { limit: number; pendingOnly: boolean }): Promise<DeadLetter[]>;
  get(id: number): Promise<DeadLetter | undefined>;
  markReplayed(id: number, now: number): Promise<void>;
  /** Dead letters not replayed yet. */
  pending(): Promise<number>;
}

type LetterRow = { id: number; queue: string; body: string; attempts: number; received_at: number; replayed_at: number | null };

/** A DeadLetterStore over D1. Dead letters are rare (a long outage), so one database holds them all. */
export function createDeadLetterStore(db: D1Database): DeadLetterStore {
  const toLetter = (r: LetterRow): DeadLetter => ({
    id: r.id,
    queue: r.queue,
    body: r.body,
    attempts: r.attempts,
    receivedAt: r.received_at,
    replayedAt: r.replayed_at,
  });
  return {
    async record(letters, now) {
      if (letters.length === 0) return;
      await db.batch(letters.map((l) => db.prepare("INSERT INTO sh_dead_letter (queue, body, attempts, received_at) VALUES (?, ?, ?, ?)").bind(l.queue, l.body, l.attempts, now)));
    },
    async list(opts) {
      const rows = await db
        .prepare(`SELECT * FROM sh_dead_letter ${opts.pendingOnly ? "WHERE replayed_at IS NULL" : ""} ORDER BY id LIMIT ?`)
        .bind(opts.limit)
        .all<LetterRow>();
      return rows.results.map(toLetter);
    },
    async get(id) {
      const row = await db.prepare("SELECT * FROM sh_dead_letter WHERE id = ?").bind(id).first<LetterRow>();
      return row === null ? undefined : toLetter(row);
    },
    async markReplayed(id, now) {
      await db.prepare("UPDATE sh_dead_letter SET replayed_at = ? WHERE id = ?").bind(now, id).run();
    },
    async pending() {
      const row = await db.prepare("SELECT count(*) AS n FROM sh_dead_letter WHERE replayed_at IS NULL").first<{ n: number }>();
      return row?.n ?? 0;
    },
  };
}
