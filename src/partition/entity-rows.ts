// Entity rows inside a partition: reading several at once and writing them back in one statement.
import { type CursorMap, parseCursors } from "./cursor-codec.js";
import { type Mark, parseMarks } from "./waiting.js";

/** An entity row as the partition works on it. */
export interface EntityRow {
  entityId: string;
  shard: number;
  head: number;
  cursors: CursorMap;
  updatedAt: number;
  /** When the partition first knew of each range of the entity's revisions (waiting.ts). */
  marks: Mark[];
}

/** A stored row; `marks` may be missing from a page a partition running older code exported. */
type RowRecord = { entity_id: string; shard: number; head: number; cursors: string; updated_at: number; marks?: string | null };

/** The columns every row read selects. */
export const ROW_COLUMNS = "entity_id, shard, head, cursors, updated_at, marks";

/** Reads the rows of `entityIds` that exist, by id (one statement, a JSON list as its one parameter). */
export function readEntityRows(sql: SqlStorage, entityIds: readonly string[]): Map<string, EntityRow> {
  if (entityIds.length === 0) return new Map();
  const rows = sql
    .exec<RowRecord>(
      `SELECT e.entity_id, e.shard, e.head, e.cursors, e.updated_at, e.marks
       FROM json_each(?1) j CROSS JOIN p_entity e ON e.entity_id = j.value`,
      JSON.stringify([...new Set(entityIds)]),
    )
    .toArray();
  return new Map(rows.map((r) => [r.entity_id, toEntityRow(r)]));
}

/** One row by id, or undefined. */
export function readEntityRow(sql: SqlStorage, entityId: string): EntityRow | undefined {
  const row = sql.exec<RowRecord>(`SELECT ${ROW_COLUMNS} FROM p_entity WHERE entity_id = ?`, entityId).toArray()[0];
  return row === undefined ? undefined : toEntityRow(row);
}

/** Inserts the rows that do not exist yet (one statement), their events first known now; existing rows are left as they are. */
export function insertMissingRows(sql: SqlStorage, rows: readonly { entityId: string; shard: number; head: number }[], now: number): void {
  if (rows.length === 0) return;
  sql.exec(
    `INSERT INTO p_entity (entity_id, shard, head, cursors, updated_at, marks)
     SELECT j.value ->> 'e', j.value ->> 's', j.value ->> 'h', '{}', ?2, json_array(json_array(1, ?2)) FROM json_each(?1) j WHERE true
     ON CONFLICT (entity_id) DO NOTHING`,
    JSON.stringify(rows.map((r) => ({ e: r.entityId, s: r.shard, h: r.head }))),
    now,
  );
}

/** Writes whole rows back, inserting or replacing each (one statement). */
export function writeEntityRows(sql: SqlStorage, rows: readonly EntityRow[]): void {
  if (rows.length === 0) return;
  sql.exec(
    `INSERT INTO p_entity (entity_id, shard, head, cursors, updated_at, marks)
     SELECT j.value ->> 'e', j.value ->> 's', j.value ->> 'h', j.value ->> 'c', j.value ->> 'u', j.value ->> 'm' FROM json_each(?1) j WHERE true
     ON CONFLICT (entity_id) DO UPDATE SET head = excluded.head, cursors = excluded.cursors, updated_at = excluded.updated_at, marks = excluded.marks`,
    JSON.stringify(rows.map((r) => ({ e: r.entityId, s: r.shard, h: r.head, c: JSON.stringify(r.cursors), u: r.updatedAt, m: JSON.stringify(r.marks) }))),
  );
}

/** The typed form of a row record. */
export function toEntityRow(r: RowRecord): EntityRow {
  return { entityId: r.entity_id, shard: r.shard, head: r.head, cursors: parseCursors(r.cursors), updatedAt: r.updated_at, marks: parseMarks(r.marks) };
}

export type { RowRecord };
