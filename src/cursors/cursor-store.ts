// D1 access for per-entity cursors: leases, batched commits, resets, skips and the operator's views.

/** What a cursor says about one (read side, entity). */
export type CursorStatus = "ok" | "retrying" | "stopped";

/** A (read side, entity) pair the consumer wants to deliver to. */
export interface CursorKey {
  readSideId: string;
  entityId: string;
  shard: number;
}

/** A cursor held under a lease: only its holder may advance it. */
export interface Lease {
  revision: number;
  status: CursorStatus;
  attempts: number;
  epoch: number;
  /** When a retrying cursor's scheduled retry is due (epoch ms). */
  retryAt: number;
}

/** The outcome of delivering to one pair, written when the consumer commits. */
export interface CursorUpdate {
  key: CursorKey;
  lease: Lease;
  revision: number;
  status: CursorStatus;
  attempts: number;
  failedRevision: number;
  lastError: string | null;
  retryAt: number;
}

/** An event a read side gave up on. */
export interface ParkedEvent {
  readSideId: string;
  entityId: string;
  revision: number;
  reason: string;
  attempts: number;
}

/** An entity's newest known revision, for the entity index. */
export interface EntityHead {
  entityId: string;
  shard: number;
  head: number;
}

/** Cursor writes for the consumer. */
export interface CursorStore {
  /**
   * Records entity heads and takes leases in one D1 batch. A pair whose lease another consumer
   * holds maps to undefined.
   */
  acquire(keys: CursorKey[], heads: EntityHead[], owner: string, leaseUntil: number, now: number): Promise<(Lease | undefined)[]>;
  /**
   * Writes outcomes and parked events in one D1 batch and releases the leases. An update applies
   * only if the cursor is still at the leased revision and epoch, so a restart or skip that
   * happened meanwhile wins and a cursor never moves backwards.
   */
  commit(owner: string, updates: CursorUpdate[], releases: CursorKey[], parked: ParkedEvent[], now: number): Promise<void>;
}

/** A CursorStore over D1. */
export function createCursorStore(db: D1Database): CursorStore {
  return {
    async acquire(keys, heads, owner, leaseUntil, now) {
      const statements = heads.map((h) =>
        db
          .prepare(
            `INSERT INTO sh_entity (entity_id, shard, head_revision, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (entity_id) DO UPDATE SET head_revision = max(head_revision, excluded.head_revision),
               updated_at = excluded.updated_at`,
          )
          .bind(h.entityId, h.shard, h.head, now),
      );
      for (const k of keys) {
        statements.push(
          db
            .prepare(
              `INSERT INTO sh_cursor (read_side_id, entity_id, shard, lease_owner, lease_until, updated_at)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6)
               ON CONFLICT (read_side_id, entity_id) DO UPDATE SET lease_owner = ?4, lease_until = ?5
                 WHERE sh_cursor.lease_until < ?6
               RETURNING revision, status, attempts, epoch, retry_at AS retryAt`,
            )
            .bind(k.readSideId, k.entityId, k.shard, owner, leaseUntil, now),
        );
      }
      if (statements.length === 0) return [];
      const results = await db.batch<Lease>(statements);
      return results.slice(heads.length).map((r) => r.results[0]);
    },
    async commit(owner, updates, releases, parked, now) {
      const statements: D1PreparedStatement[] = [];
      for (const u of updates) {
        statements.push(
          db
            .prepare(
              `UPDATE sh_cursor SET revision = ?, status = ?, attempts = ?, failed_revision = ?, last_error = ?, retry_at = ?,
                 updated_at = ?, lease_owner = NULL, lease_until = 0
               WHERE read_side_id = ? AND entity_id = ? AND lease_owner = ? AND epoch = ? AND revision = ?`,
            )
            .bind(u.revision, u.status, u.attempts, u.failedRevision, u.lastError, u.retryAt, now, u.key.readSideId, u.key.entityId, owner, u.lease.epoch, u.lease.revision),
        );
      }
      for (const p of parked) statements.push(parkStatement(db, p, now));
      // An applied update released its lease itself (one row written, not two); these release
      // the rest, and match no row (write nothing) where the update already did.
      for (const k of [...updates.map((u) => u.key), ...releases]) {
        statements.push(
          db
            .prepare("UPDATE sh_cursor SET lease_owner = NULL, lease_until = 0 WHERE read_side_id = ? AND entity_id = ? AND lease_owner = ?")
            .bind(k.readSideId, k.entityId, owner),
        );
      }
      if (statements.length > 0) await db.batch(statements);
    },
  };
}

/** Records (or refreshes) a parked event. */
export function parkStatement(db: D1Database, p: ParkedEvent, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO sh_parked (read_side_id, entity_id, revision, reason, attempts, parked_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (read_side_id, entity_id, revision) DO UPDATE SET reason = excluded.reason,
         attempts = sh_parked.attempts + excluded.attempts, parked_at = excluded.parked_at`,
    )
    .bind(p.readSideId, p.entityId, p.revision, p.reason, p.attempts, now);
}
