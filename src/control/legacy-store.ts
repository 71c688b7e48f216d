// D1 access to what a version before partitions kept in D1: the entity index, cursors, parked events, the documents' index and the log.

/** An entity as the old index held it, with every cursor the old tables held for it. */
export interface LegacyEntity {
  entityId: string;
  shard: number;
  head: number;
  updatedAt: number;
  cursors: {
    readSideId: string;
    generation: string;
    epoch: number;
    revision: number;
    status: "ok" | "retrying" | "stopped";
    attempts: number;
    failedRevision: number;
    lastError: string | null;
    retryAt: number;
    restartedAt: number;
    updatedAt: number;
  }[];
}

/** A parked event as the old table held it. */
export interface LegacyParked {
  readSideId: string;
  entityId: string;
  revision: number;
  reason: string;
  attempts: number;
  parkedAt: number;
}

/** A document's index row as the old table held it. */
export interface LegacyDoc {
  entityType: string;
  docId: string;
  revision: number;
  deleted: number;
  updatedAt: number;
}

/** A log row as the old table held it (payloads base64, as D1 kept them). */
export interface LegacyLogRow {
  offset: number;
  entityId: string;
  revision: number;
  eventType: string;
  event: string | null;
  meta: string;
  state: string | null;
  appendedAt: number;
}

/** Pages of the old tables, in a stable order each. */
export interface LegacyStore {
  /** Whether the old tables hold anything at all (one query). */
  present(): Promise<boolean>;
  entities(after: string, limit: number): Promise<LegacyEntity[]>;
  parked(after: { readSideId: string; entityId: string; revision: number } | undefined, limit: number): Promise<LegacyParked[]>;
  docs(after: { entityType: string; docId: string } | undefined, limit: number): Promise<LegacyDoc[]>;
  /** Log rows from offset `from` on, at most `limit` and about `maxChars` of payload (at least one). */
  log(from: number, limit: number, maxChars: number): Promise<LegacyLogRow[]>;
}

type CursorRecord = {
  read_side_id: string;
  entity_id: string;
  shard: number;
  generation: string;
  epoch: number;
  revision: number;
  status: "ok" | "retrying" | "stopped";
  attempts: number;
  failed_revision: number;
  last_error: string | null;
  retry_at: number;
  restarted_at: number;
  updated_at: number;
};

/** A LegacyStore over the control plane's D1 (the tables migrations 0001–0006 created). */
export function createLegacyStore(db: D1Database): LegacyStore {
  return {
    async present() {
      const row = await db
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM sh_entity) OR EXISTS (SELECT 1 FROM sh_cursor) OR EXISTS (SELECT 1 FROM sh_log)
             OR EXISTS (SELECT 1 FROM sh_parked) OR EXISTS (SELECT 1 FROM sh_crud_doc) AS found`,
        )
        .first<{ found: number }>();
      return row?.found === 1;
    },
    async entities(after, limit) {
      const [ids, cursors] = await db.batch([
        db
          .prepare(
            `WITH ids AS (SELECT entity_id FROM sh_entity WHERE entity_id > ?1 UNION SELECT entity_id FROM sh_cursor WHERE entity_id > ?1
                          ORDER BY entity_id LIMIT ?2)
             SELECT ids.entity_id, e.shard, e.head_revision, e.updated_at FROM ids LEFT JOIN sh_entity e ON e.entity_id = ids.entity_id
             ORDER BY ids.entity_id`,
          )
          .bind(after, limit),
        db
          .prepare(
            `SELECT * FROM sh_cursor WHERE entity_id IN (
               SELECT entity_id FROM sh_entity WHERE entity_id > ?1 UNION SELECT entity_id FROM sh_cursor WHERE entity_id > ?1
               ORDER BY entity_id LIMIT ?2)`,
          )
          .bind(after, limit),
      ]);
      const byEntity = new Map<string, CursorRecord[]>();
      for (const c of (cursors?.results ?? []) as CursorRecord[]) byEntity.set(c.entity_id, [...(byEntity.get(c.entity_id) ?? []), c]);
      return ((ids?.results ?? []) as { entity_id: string; shard: number | null; head_revision: number | null; updated_at: number | null }[]).map((r) => {
        const own = byEntity.get(r.entity_id) ?? [];
        return {
          entityId: r.entity_id,
          shard: r.shard ?? own[0]?.shard ?? 0,
          head: Math.max(r.head_revision ?? 0, ...own.map((c) => c.revision)),
          updatedAt: r.updated_at ?? Math.max(0, ...own.map((c) => c.updated_at)),
          cursors: own.map((c) => ({
            readSideId: c.read_side_id,
            generation: c.generation,
            epoch: c.epoch,
            revision: c.revision,
            status: c.status,
            attempts: c.attempts,
            failedRevision: c.failed_revision,
            lastError: c.last_error,
            retryAt: c.retry_at,
            restartedAt: c.restarted_at,
            updatedAt: c.updated_at,
          })),
        };
      });
    },
    async parked(after, limit) {
      const rows = await db
        .prepare(
          `SELECT * FROM sh_parked WHERE (read_side_id, entity_id, revision) > (?1, ?2, ?3)
           ORDER BY read_side_id, entity_id, revision LIMIT ?4`,
        )
        .bind(after?.readSideId ?? "", after?.entityId ?? "", after?.revision ?? -1, limit)
        .all<{ read_side_id: string; entity_id: string; revision: number; reason: string; attempts: number; parked_at: number }>();
      return rows.results.map((p) => ({ readSideId: p.read_side_id, entityId: p.entity_id, revision: p.revision, reason: p.reason, attempts: p.attempts, parkedAt: p.parked_at }));
    },
    async docs(after, limit) {
      const rows = await db
        .prepare("SELECT * FROM sh_crud_doc WHERE (entity_type, doc_id) > (?1, ?2) ORDER BY entity_type, doc_id LIMIT ?3")
        .bind(after?.entityType ?? "", after?.docId ?? "", limit)
        .all<{ entity_type: string; doc_id: string; revision: number; deleted: number; updated_at: number }>();
      return rows.results.map((d) => ({ entityType: d.entity_type, docId: d.doc_id, revision: d.revision, deleted: d.deleted, updatedAt: d.updated_at }));
    },
    async log(from, limit, maxChars) {
      const rows = await db
        .prepare(
          `WITH page AS (SELECT log_offset, length(meta) + coalesce(length(event), 0) + coalesce(length(state), 0) AS size
                         FROM sh_log WHERE log_offset >= ?1 ORDER BY log_offset LIMIT ?2),
                sized AS (SELECT log_offset, sum(size) OVER (ORDER BY log_offset) AS upto FROM page)
           SELECT l.* FROM sized s JOIN sh_log l ON l.log_offset = s.log_offset
           WHERE s.upto <= ?3 OR s.log_offset = (SELECT min(log_offset) FROM page) ORDER BY l.log_offset`,
        )
        .bind(from, limit, maxChars)
        .all<{ log_offset: number; entity_id: string; revision: number; event_type: string; event: string | null; meta: string; state: string | null; appended_at: number }>();
      return rows.results.map((r) => ({
        offset: r.log_offset,
        entityId: r.entity_id,
        revision: r.revision,
        eventType: r.event_type,
        event: r.event,
        meta: r.meta,
        state: r.state,
        appendedAt: r.appended_at,
      }));
    },
  };
}
