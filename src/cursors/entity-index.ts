// D1 access for the index of known entities, which restart, resume and new read sides walk.

/** An entity a read side is behind on, with the range it still needs. */
export interface BehindEntity {
  entityId: string;
  fromRevision: number;
  headRevision: number;
}

/** Reads the entity index. */
export interface EntityIndex {
  /**
   * Up to `limit` entities after `after` (by id) whose head is past `readSideId`'s cursor, or
   * that it has no cursor for; optionally only those in `shard`.
   */
  behind(readSideId: string, opts: { after: string; limit: number; shard?: number }): Promise<BehindEntity[]>;
  /** The newest revision the index knows for an entity; 0 when unknown. */
  head(entityId: string): Promise<number>;
}

/** An EntityIndex over D1. */
export function createEntityIndex(db: D1Database): EntityIndex {
  return {
    async behind(readSideId, opts) {
      const rows = await db
        .prepare(
          `SELECT e.entity_id, coalesce(c.revision, 0) + 1 AS from_revision, e.head_revision
           FROM sh_entity e LEFT JOIN sh_cursor c ON c.read_side_id = ?1 AND c.entity_id = e.entity_id
           WHERE e.entity_id > ?2 AND (?3 IS NULL OR e.shard = ?3) AND coalesce(c.revision, 0) < e.head_revision
           ORDER BY e.entity_id LIMIT ?4`,
        )
        .bind(readSideId, opts.after, opts.shard ?? null, opts.limit)
        .all<{ entity_id: string; from_revision: number; head_revision: number }>();
      return rows.results.map((r) => ({ entityId: r.entity_id, fromRevision: r.from_revision, headRevision: r.head_revision }));
    },
    async head(entityId) {
      const row = await db.prepare("SELECT head_revision FROM sh_entity WHERE entity_id = ?").bind(entityId).first<{ head_revision: number }>();
      return row?.head_revision ?? 0;
    },
  };
}
