// D1 access for the index of known entities, which sweeps, the reconciler and lag views walk.
import { type EntityHead, headUpsert } from "./cursor-store.js";

const PROBE_KEY = "reconciler.probe_after";

/** An entity a read side is behind on, with the range it still needs. */
export interface BehindEntity {
  entityId: string;
  fromRevision: number;
  headRevision: number;
}

/** An indexed entity and the head the index knows for it. */
export interface IndexedEntity {
  entityId: string;
  shard: number;
  headRevision: number;
}

/** Reads the entity index. */
export interface EntityIndex {
  /**
   * Up to `limit` entities after `after` (by id) whose known head is past `readSideId`'s cursor,
   * or that it has no cursor for, leaving out its paused shards; optionally only those in `shard`,
   * and only cursors that are
   * `ok` (or the built-in `$log`'s, which retries a stopped cursor) and were last written before
   * `quietSince` (so work in flight is left alone).
   */
  behind(readSideId: string, opts: { after: string; limit: number; shard?: number; quietSince?: number }): Promise<BehindEntity[]>;
  /** Up to `limit` entities after `after` (by id), wrapping to the start when none are left. */
  page(after: string, limit: number): Promise<IndexedEntity[]>;
  /** The entity id the reconciler's walk of the index last reached ("" at the start). */
  probePosition(): Promise<string>;
  /** Records the walk's new position and raises the heads it found behind, in one batch. */
  advanceProbe(after: string, raised: EntityHead[], now: number): Promise<void>;
}

/** An EntityIndex over D1. */
export function createEntityIndex(db: D1Database): EntityIndex {
  return {
    async behind(readSideId, opts) {
      const quiet = opts.quietSince ?? null;
      const rows = await db
        .prepare(
          `SELECT e.entity_id, coalesce(c.revision, 0) + 1 AS from_revision, e.head_revision
           FROM sh_read_side r JOIN sh_entity e
             LEFT JOIN sh_cursor c ON c.read_side_id = r.id AND c.entity_id = e.entity_id AND c.generation = r.generation
           WHERE r.id = ?1 AND e.entity_id > ?2 AND (?3 IS NULL OR e.shard = ?3) AND coalesce(c.revision, 0) < e.head_revision
             AND (?5 IS NULL OR ((coalesce(c.status, 'ok') = 'ok' OR r.source = 'builtin') AND coalesce(c.updated_at, e.updated_at) < ?5))
             AND NOT EXISTS (SELECT 1 FROM sh_read_side_shard_pause p WHERE p.read_side_id = r.id AND p.shard = e.shard)
           ORDER BY e.entity_id LIMIT ?4`,
        )
        .bind(readSideId, opts.after, opts.shard ?? null, opts.limit, quiet)
        .all<{ entity_id: string; from_revision: number; head_revision: number }>();
      return rows.results.map((r) => ({ entityId: r.entity_id, fromRevision: r.from_revision, headRevision: r.head_revision }));
    },
    async page(after, limit) {
      const read = (from: string) =>
        db
          .prepare("SELECT entity_id, shard, head_revision FROM sh_entity WHERE entity_id > ? ORDER BY entity_id LIMIT ?")
          .bind(from, limit)
          .all<{ entity_id: string; shard: number; head_revision: number }>();
      let rows = (await read(after)).results;
      if (rows.length === 0 && after !== "") rows = (await read("")).results;
      return rows.map((r) => ({ entityId: r.entity_id, shard: r.shard, headRevision: r.head_revision }));
    },
    async probePosition() {
      const row = await db.prepare("SELECT value FROM sh_info WHERE key = ?").bind(PROBE_KEY).first<{ value: string }>();
      return row?.value ?? "";
    },
    async advanceProbe(after, raised, now) {
      const statements = [
        db.prepare("INSERT INTO sh_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2").bind(PROBE_KEY, after),
      ];
      if (raised.length > 0) statements.push(headUpsert(db, raised, now));
      await db.batch(statements);
    },
  };
}
