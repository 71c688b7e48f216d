// D1 index of the CRUD store's documents per type, kept by the `$log` read side in the commit that moves its cursor.
import type { LogAppend } from "../eventlog/index.js";
import { parseCrudEntityId } from "./crud-id.js";

/** An indexed document: its id and the newest version the index has seen. */
export interface IndexedDoc {
  docId: string;
  version: number;
}

/** Reads the index. */
export interface DocIndex {
  /** Up to `limit` live documents of `entityType` with ids after `after`, by id. */
  list(entityType: string, after: string, limit: number): Promise<IndexedDoc[]>;
}

/**
 * The statement that records the documents a consumer batch appends to the log: each one's newest
 * version and whether that version deleted it. A row only moves forward (a redelivered, older
 * batch changes nothing), so it needs no compare-and-set of its own: every event it sees is
 * committed in its entity's journal, whether or not this batch's log append takes.
 */
export function docIndexStatements(db: D1Database, appends: LogAppend[], now: number): D1PreparedStatement[] {
  const rows: { t: string; d: string; r: number; x: number }[] = [];
  for (const a of appends) {
    const key = parseCrudEntityId(a.entityId);
    const last = a.rows.at(-1);
    if (key === undefined || last === undefined) continue;
    rows.push({ t: key.entityType, d: key.docId, r: last.revision, x: last.eventType.endsWith(".Deleted") ? 1 : 0 });
  }
  if (rows.length === 0) return [];
  return [
    db
      .prepare(
        `INSERT INTO sh_crud_doc (entity_type, doc_id, revision, deleted, updated_at)
         SELECT j.value ->> 't', j.value ->> 'd', j.value ->> 'r', j.value ->> 'x', ?2 FROM json_each(?1) j WHERE true
         ON CONFLICT (entity_type, doc_id) DO UPDATE SET revision = excluded.revision, deleted = excluded.deleted,
           updated_at = excluded.updated_at
         WHERE excluded.revision > sh_crud_doc.revision`,
      )
      .bind(JSON.stringify(rows), now),
  ];
}

/** A DocIndex over D1. */
export function createDocIndex(db: D1Database): DocIndex {
  return {
    async list(entityType, after, limit) {
      const rows = await db
        .prepare("SELECT doc_id, revision FROM sh_crud_doc WHERE entity_type = ?1 AND deleted = 0 AND doc_id > ?2 ORDER BY doc_id LIMIT ?3")
        .bind(entityType, after, limit)
        .all<{ doc_id: string; revision: number }>();
      return rows.results.map((r) => ({ docId: r.doc_id, version: r.revision }));
    },
  };
}
