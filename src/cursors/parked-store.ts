// D1 access for parked events (given up on by a read side, kept for replay) and dead letters.
import { type EntityHead, headUpsert, parkStatement } from "./cursor-store.js";

/** A parked event as an operator sees it. */
export interface ParkedView {
  entityId: string;
  revision: number;
  reason: string;
  attempts: number;
  parkedAt: number;
}

/** A queue message that exhausted its retries. */
export interface DeadLetter {
  id: number;
  queue: string;
  body: string;
  attempts: number;
  receivedAt: number;
  replayedAt: number | null;
}

/** Parked events and dead letters. */
export interface ParkedStore {
  list(readSideId: string, opts: { entityId?: string; limit: number }): Promise<ParkedView[]>;
  get(readSideId: string, entityId: string, revision: number): Promise<ParkedView | undefined>;
  remove(readSideId: string, entityId: string, revision: number): Promise<void>;
  /** Counts one more failed replay. */
  touch(readSideId: string, entityId: string, revision: number, reason: string, now: number): Promise<void>;
  /**
   * Records dead letters and, in the same D1 batch, raises the entity index's heads to what they
   * announced, so the reconciler re-delivers them without an operator.
   */
  recordDeadLetters(letters: { queue: string; body: string; attempts: number }[], heads: EntityHead[], now: number): Promise<void>;
  deadLetters(opts: { limit: number; pendingOnly: boolean }): Promise<DeadLetter[]>;
  deadLetter(id: number): Promise<DeadLetter | undefined>;
  markReplayed(id: number, now: number): Promise<void>;
}

type ParkedRow = { entity_id: string; revision: number; reason: string; attempts: number; parked_at: number };
type LetterRow = { id: number; queue: string; body: string; attempts: number; received_at: number; replayed_at: number | null };

/** A ParkedStore over D1. */
export function createParkedStore(db: D1Database): ParkedStore {
  const toView = (r: ParkedRow): ParkedView => ({
    entityId: r.entity_id,
    revision: r.revision,
    reason: r.reason,
    attempts: r.attempts,
    parkedAt: r.parked_at,
  });
  const toLetter = (r: LetterRow): DeadLetter => ({
    id: r.id,
    queue: r.queue,
    body: r.body,
    attempts: r.attempts,
    receivedAt: r.received_at,
    replayedAt: r.replayed_at,
  });
  return {
    async list(readSideId, opts) {
      const rows = await db
        .prepare(
          `SELECT entity_id, revision, reason, attempts, parked_at FROM sh_parked
           WHERE read_side_id = ?1 AND (?2 IS NULL OR entity_id = ?2) ORDER BY entity_id, revision LIMIT ?3`,
        )
        .bind(readSideId, opts.entityId ?? null, opts.limit)
        .all<ParkedRow>();
      return rows.results.map(toView);
    },
    async get(readSideId, entityId, revision) {
      const row = await db
        .prepare("SELECT entity_id, revision, reason, attempts, parked_at FROM sh_parked WHERE read_side_id = ? AND entity_id = ? AND revision = ?")
        .bind(readSideId, entityId, revision)
        .first<ParkedRow>();
      return row === null ? undefined : toView(row);
    },
    async remove(readSideId, entityId, revision) {
      await db.prepare("DELETE FROM sh_parked WHERE read_side_id = ? AND entity_id = ? AND revision = ?").bind(readSideId, entityId, revision).run();
    },
    async touch(readSideId, entityId, revision, reason, now) {
      await parkStatement(db, [{ readSideId, entityId, revision, reason, attempts: 1 }], now).run();
    },
    async recordDeadLetters(letters, heads, now) {
      if (letters.length === 0) return;
      const statements = letters.map((l) =>
        db.prepare("INSERT INTO sh_dead_letter (queue, body, attempts, received_at) VALUES (?, ?, ?, ?)").bind(l.queue, l.body, l.attempts, now),
      );
      if (heads.length > 0) statements.push(headUpsert(db, heads, now));
      await db.batch(statements);
    },
    async deadLetters(opts) {
      const rows = await db
        .prepare(`SELECT * FROM sh_dead_letter ${opts.pendingOnly ? "WHERE replayed_at IS NULL" : ""} ORDER BY id LIMIT ?`)
        .bind(opts.limit)
        .all<LetterRow>();
      return rows.results.map(toLetter);
    },
    async deadLetter(id) {
      const row = await db.prepare("SELECT * FROM sh_dead_letter WHERE id = ?").bind(id).first<LetterRow>();
      return row === null ? undefined : toLetter(row);
    },
    async markReplayed(id, now) {
      await db.prepare("UPDATE sh_dead_letter SET replayed_at = ? WHERE id = ?").bind(now, id).run();
    },
  };
}
