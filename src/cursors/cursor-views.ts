// D1 reads and operator writes on cursors: offsets, lag, status, restart, resume and skip.
import type { CursorStatus } from "./cursor-store.js";

/** One cursor as an operator sees it. */
export interface CursorView {
  entityId: string;
  shard: number;
  revision: number;
  headRevision: number;
  lag: number;
  status: CursorStatus;
  attempts: number;
  failedRevision: number;
  lastError: string | null;
  updatedAt: number;
}

/** A retrying cursor whose scheduled retry is overdue. */
export interface DueRetry {
  readSideId: string;
  entityId: string;
  revision: number;
  failedRevision: number;
}

/** A read side's totals. */
export interface CursorSummary {
  entities: number;
  lag: number;
  retrying: number;
  stopped: number;
  parked: number;
}

/** Which cursors an operation touches: all of a read side's, one shard's, or one entity's. */
export interface CursorScope {
  readSideId: string;
  shard?: number;
  entityId?: string;
}

/** Operator reads and writes on cursors. */
export interface CursorViews {
  list(scope: CursorScope, opts: { after?: string; limit: number; failingOnly?: boolean }): Promise<CursorView[]>;
  summary(readSideId: string): Promise<CursorSummary>;
  /** Events handled per shard (the sum of the cursors' revisions), CoS's "offset" per shard. */
  offsetsByShard(readSideId: string): Promise<Map<number, number>>;
  /** Sets the cursors in scope back to 0 and bumps their epoch; parked events in scope go too. */
  restart(scope: CursorScope, now: number): Promise<void>;
  /** Clears the stopped or retrying status in scope, so the failing head event is tried again. */
  retryFailing(scope: CursorScope, now: number): Promise<number>;
  /** Moves each failing cursor in scope past its failing head event, parking it; the count skipped. */
  skipFailing(scope: CursorScope, now: number): Promise<number>;
  /** Retrying cursors of enabled, unpaused read sides whose retry was due before `before`. */
  dueRetries(before: number, limit: number): Promise<DueRetry[]>;
  /**
   * The lowest revision that every enabled, running read side has handled for an entity (a read
   * side with no cursor there counts as 0); undefined when no read side is running. Stopped
   * cursors and paused read sides or shards do not hold it back, except the built-in `$log`'s:
   * no operator can skip it, and the log must take every event the journal still has.
   */
  lowWater(entityId: string): Promise<number | undefined>;
}

type ViewRow = {
  entity_id: string;
  shard: number;
  revision: number;
  head_revision: number | null;
  status: CursorStatus;
  attempts: number;
  failed_revision: number;
  last_error: string | null;
  updated_at: number;
};

/** CursorViews over D1. */
export function createCursorViews(db: D1Database): CursorViews {
  const where = (scope: CursorScope, alias = "") => {
    const parts = [`${alias}read_side_id = ?`];
    const binds: (string | number)[] = [scope.readSideId];
    if (scope.shard !== undefined) {
      parts.push(`${alias}shard = ?`);
      binds.push(scope.shard);
    }
    if (scope.entityId !== undefined) {
      parts.push(`${alias}entity_id = ?`);
      binds.push(scope.entityId);
    }
    return { sql: parts.join(" AND "), binds };
  };
  return {
    async list(scope, opts) {
      const w = where(scope, "c.");
      const rows = await db
        .prepare(
          `SELECT c.entity_id, c.shard, c.revision, e.head_revision, c.status, c.attempts, c.failed_revision, c.last_error,
             c.updated_at
           FROM sh_cursor c LEFT JOIN sh_entity e ON e.entity_id = c.entity_id
           WHERE ${w.sql} AND c.entity_id > ? ${opts.failingOnly ? "AND c.status != 'ok'" : ""}
           ORDER BY c.entity_id LIMIT ?`,
        )
        .bind(...w.binds, opts.after ?? "", opts.limit)
        .all<ViewRow>();
      return rows.results.map((r) => {
        const head = Math.max(r.head_revision ?? 0, r.revision);
        return {
          entityId: r.entity_id,
          shard: r.shard,
          revision: r.revision,
          headRevision: head,
          lag: head - r.revision,
          status: r.status,
          attempts: r.attempts,
          failedRevision: r.failed_revision,
          lastError: r.last_error,
          updatedAt: r.updated_at,
        };
      });
    },
    async summary(readSideId) {
      const [cursors, entities, parked] = await db.batch<Record<string, number | null>>([
        db
          .prepare(
            `SELECT count(*) AS n, sum(max(coalesce(e.head_revision, 0) - c.revision, 0)) AS lag,
               sum(c.status = 'retrying') AS retrying, sum(c.status = 'stopped') AS stopped
             FROM sh_cursor c LEFT JOIN sh_entity e ON e.entity_id = c.entity_id WHERE c.read_side_id = ?`,
          )
          .bind(readSideId),
        // Entities the read side has no cursor for yet are behind by their whole history.
        db
          .prepare(
            `SELECT count(*) AS n, sum(e.head_revision) AS lag FROM sh_entity e
             WHERE NOT EXISTS (SELECT 1 FROM sh_cursor c WHERE c.read_side_id = ? AND c.entity_id = e.entity_id)`,
          )
          .bind(readSideId),
        db.prepare("SELECT count(*) AS n FROM sh_parked WHERE read_side_id = ?").bind(readSideId),
      ]);
      const c = cursors?.results[0] ?? {};
      const e = entities?.results[0] ?? {};
      return {
        entities: Number(c.n ?? 0) + Number(e.n ?? 0),
        lag: Number(c.lag ?? 0) + Number(e.lag ?? 0),
        retrying: Number(c.retrying ?? 0),
        stopped: Number(c.stopped ?? 0),
        parked: Number(parked?.results[0]?.n ?? 0),
      };
    },
    async offsetsByShard(readSideId) {
      const rows = await db
        .prepare("SELECT shard, sum(revision) AS offset FROM sh_cursor WHERE read_side_id = ? GROUP BY shard")
        .bind(readSideId)
        .all<{ shard: number; offset: number }>();
      return new Map(rows.results.map((r) => [r.shard, r.offset]));
    },
    async restart(scope, now) {
      const w = where(scope);
      const statements = [
        db
          .prepare(
            `UPDATE sh_cursor SET revision = 0, status = 'ok', attempts = 0, failed_revision = 0, last_error = NULL,
               epoch = epoch + 1, restarted_at = ?, updated_at = ? WHERE ${w.sql}`,
          )
          .bind(now, now, ...w.binds),
        db.prepare(`DELETE FROM sh_parked WHERE ${w.sql.replace("shard = ?", "entity_id IN (SELECT entity_id FROM sh_entity WHERE shard = ?)")}`).bind(...w.binds),
      ];
      // A whole restart replays what is retained: what compaction removed before it is no gap.
      if (scope.shard === undefined && scope.entityId === undefined) {
        statements.push(db.prepare("UPDATE sh_read_side SET started_at = ? WHERE id = ?").bind(now, scope.readSideId));
      }
      await db.batch(statements);
    },
    async retryFailing(scope, now) {
      const w = where(scope);
      const res = await db
        .prepare(`UPDATE sh_cursor SET status = 'ok', attempts = 0, updated_at = ? WHERE ${w.sql} AND status != 'ok'`)
        .bind(now, ...w.binds)
        .run();
      return res.meta.changes;
    },
    async skipFailing(scope, now) {
      const w = where(scope);
      const failing = await db
        .prepare(
          `SELECT entity_id, generation, epoch, revision, failed_revision, attempts, last_error FROM sh_cursor
           WHERE ${w.sql} AND status != 'ok' AND generation = (SELECT generation FROM sh_read_side WHERE id = ?)`,
        )
        .bind(...w.binds, scope.readSideId)
        .all<{ entity_id: string; generation: string; epoch: number; revision: number; failed_revision: number; attempts: number; last_error: string | null }>();
      // Each skip is a compare-and-set on what was read (a restart, a delete or a delivery in
      // between wins), and the event is parked only if that skip applied.
      const statements = failing.results.flatMap((f) => [
        db
          .prepare(
            `UPDATE sh_cursor SET revision = ?1, status = 'ok', attempts = 0, failed_revision = 0, last_error = NULL,
               epoch = epoch + 1, updated_at = ?2
             WHERE read_side_id = ?3 AND entity_id = ?4 AND generation = ?5 AND epoch = ?6 AND revision = ?7 AND status != 'ok'`,
          )
          .bind(f.failed_revision, now, scope.readSideId, f.entity_id, f.generation, f.epoch, f.revision),
        db
          .prepare(
            `INSERT INTO sh_parked (read_side_id, entity_id, revision, reason, attempts, parked_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM sh_cursor WHERE read_side_id = ?1 AND entity_id = ?2
               AND generation = ?7 AND epoch = ?8 + 1 AND revision = ?3 AND updated_at = ?6)
             ON CONFLICT (read_side_id, entity_id, revision) DO UPDATE SET reason = excluded.reason,
               attempts = sh_parked.attempts + excluded.attempts, parked_at = excluded.parked_at`,
          )
          .bind(scope.readSideId, f.entity_id, f.failed_revision, `skipped by an operator; last error: ${f.last_error ?? "none"}`, f.attempts, now, f.generation, f.epoch),
      ]);
      if (statements.length === 0) return 0;
      const results = await db.batch(statements);
      return results.filter((r, i) => i % 2 === 0 && r.meta.changes > 0).length;
    },
    async dueRetries(before, limit) {
      const rows = await db
        .prepare(
          `SELECT c.read_side_id, c.entity_id, c.revision, c.failed_revision
           FROM sh_read_side r JOIN sh_cursor c ON c.read_side_id = r.id AND c.status = 'retrying' AND c.generation = r.generation
           WHERE r.enabled = 1 AND r.paused = 0 AND c.status != 'ok' AND c.retry_at < ?
             AND NOT EXISTS (SELECT 1 FROM sh_read_side_shard_pause p WHERE p.read_side_id = r.id AND p.shard = c.shard)
           LIMIT ?`,
        )
        .bind(before, limit)
        .all<{ read_side_id: string; entity_id: string; revision: number; failed_revision: number }>();
      return rows.results.map((r) => ({ readSideId: r.read_side_id, entityId: r.entity_id, revision: r.revision, failedRevision: r.failed_revision }));
    },
    async lowWater(entityId) {
      const row = await db
        .prepare(
          `SELECT count(*) AS sides, min(coalesce(c.revision, 0)) AS low
           FROM sh_read_side r
             LEFT JOIN sh_cursor c ON c.read_side_id = r.id AND c.entity_id = ?1 AND c.generation = r.generation
           WHERE r.enabled = 1 AND r.paused = 0 AND (coalesce(c.status, 'ok') != 'stopped' OR r.source = 'builtin')
             AND NOT EXISTS (SELECT 1 FROM sh_read_side_shard_pause p JOIN sh_entity e ON e.entity_id = ?1
                             WHERE p.read_side_id = r.id AND p.shard = e.shard)`,
        )
        .bind(entityId)
        .first<{ sides: number; low: number | null }>();
      return row === null || row.sides === 0 ? undefined : (row.low ?? 0);
    },
  };
}
