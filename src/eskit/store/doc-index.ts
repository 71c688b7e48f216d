// The index of the CRUD store's documents per type, kept in each partition by the commit that appends their events to the log.
import type { LogAppend } from "../../eventlog/index.js";
import { parseCrudEntityId } from "./crud-id.js";

/** An indexed document: its id and the newest version the index has seen. */
export interface IndexedDoc {
  docId: string;
  version: number;
}

/** Reads the index (across every partition). */
export interface DocIndex {
  /** Up to `limit` live documents of `entityType` with ids after `after`, by id. */
  list(entityType: string, after: string, limit: number): Promise<IndexedDoc[]>;
}

/** The index's table in a partition's SQLite (idempotent). */
export const DOC_INDEX_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS p_crud_doc (
     entity_type TEXT NOT NULL,
     doc_id TEXT NOT NULL,
     revision INTEGER NOT NULL,
     deleted INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (entity_type, doc_id)
   ) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS p_crud_doc_live ON p_crud_doc (entity_type, deleted, doc_id)",
] as const;

/**
 * Records the documents whose events a commit appends to the log: each one's newest version and
 * whether that version deleted it. A row only moves forward (a redelivered, older append changes
 * nothing), so it lags the journal exactly as the log does and, like the log, misses no committed
 * event. One statement; nothing when the appends hold no document.
 */
export function recordDocuments(sql: SqlStorage, appends: readonly LogAppend[], now: number): void {
  const rows: { t: string; d: string; r: number; x: number }[] = [];
  for (const a of appends) {
    const key = parseCrudEntityId(a.entityId);
    const last = a.rows.at(-1);
    if (key === undefined || last === undefined) continue;
    rows.push({ t: key.entityType, d: key.docId, r: last.revision, x: last.eventType.endsWith(".Deleted") ? 1 : 0 });
  }
  if (rows.length === 0) return;
  sql.exec(
    `INSERT INTO p_crud_doc (entity_type, doc_id, revision, deleted, updated_at)
     SELECT j.value ->> 't', j.value ->> 'd', j.value ->> 'r', j.value ->> 'x', ?2 FROM json_each(?1) j WHERE true
     ON CONFLICT (entity_type, doc_id) DO UPDATE SET revision = excluded.revision, deleted = excluded.deleted,
       updated_at = excluded.updated_at
     WHERE excluded.revision > p_crud_doc.revision`,
    JSON.stringify(rows),
    now,
  );
}

/** A document's row as another store hands it over (a shard's move, the legacy import). */
export interface DocRow {
  entityType: string;
  docId: string;
  revision: number;
  deleted: number;
  updatedAt: number;
}

/** Takes rows another store held: each only moves a row forward, as a commit does. */
export function importDocRows(sql: SqlStorage, rows: readonly DocRow[]): void {
  for (const d of rows) {
    sql.exec(
      `INSERT INTO p_crud_doc (entity_type, doc_id, revision, deleted, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (entity_type, doc_id) DO UPDATE SET revision = excluded.revision, deleted = excluded.deleted, updated_at = excluded.updated_at
       WHERE excluded.revision > p_crud_doc.revision`,
      d.entityType,
      d.docId,
      d.revision,
      d.deleted,
      d.updatedAt,
    );
  }
}

/** The index rows of those of `entityIds` that are documents (a shard's move exports them with their entities). */
export function exportDocRows(sql: SqlStorage, entityIds: readonly string[]): DocRow[] {
  const keys = entityIds.map((id) => parseCrudEntityId(id)).filter((k) => k !== undefined);
  return sql
    .exec<{ entity_type: string; doc_id: string; revision: number; deleted: number; updated_at: number }>(
      `SELECT d.entity_type, d.doc_id, d.revision, d.deleted, d.updated_at FROM json_each(?1) j
       CROSS JOIN p_crud_doc d ON d.entity_type = j.value ->> 't' AND d.doc_id = j.value ->> 'd'`,
      JSON.stringify(keys.map((k) => ({ t: k.entityType, d: k.docId }))),
    )
    .toArray()
    .map((d) => ({ entityType: d.entity_type, docId: d.doc_id, revision: d.revision, deleted: d.deleted, updatedAt: d.updated_at }));
}

/** Deletes the index rows of those of `entityIds` that are documents (a moved shard's old owner drops them). */
export function dropDocRows(sql: SqlStorage, entityIds: readonly string[]): void {
  const keys = entityIds.map((id) => parseCrudEntityId(id)).filter((k) => k !== undefined);
  sql.exec(
    "DELETE FROM p_crud_doc WHERE (entity_type, doc_id) IN (SELECT j.value ->> 't', j.value ->> 'd' FROM json_each(?1) j)",
    JSON.stringify(keys.map((k) => ({ t: k.entityType, d: k.docId }))),
  );
}

/** Up to `limit` live documents of `entityType` with ids after `after`, by id, in one partition. */
export function listDocuments(sql: SqlStorage, entityType: string, after: string, limit: number): IndexedDoc[] {
  return sql
    .exec<{ doc_id: string; revision: number }>(
      "SELECT doc_id, revision FROM p_crud_doc WHERE entity_type = ?1 AND deleted = 0 AND doc_id > ?2 ORDER BY doc_id LIMIT ?3",
      entityType,
      after,
      limit,
    )
    .toArray()
    .map((r) => ({ docId: r.doc_id, version: r.revision }));
}

/** The first `limit` documents, by id, of pages from several partitions (each sorted by id). */
export function mergeDocPages(pages: readonly IndexedDoc[][], limit: number): IndexedDoc[] {
  return pages
    .flat()
    .sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : 0))
    .slice(0, limit);
}
