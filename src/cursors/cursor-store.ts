// D1 access for the consumer: one read of every position a batch needs, one compare-and-set commit.
import { docIndexStatements } from "../docstore/index.js";
import { type LogAppend, logAppendStatements } from "../eventlog/index.js";
import { counterStatements } from "../metrics/index.js";
import { READ_SIDES_SQL, type ReadSideRecord, type ReadSideRow, toRecord } from "./read-side-store.js";

/** What a cursor says about one (read side, entity). */
export type CursorStatus = "ok" | "retrying" | "stopped";

/** A (read side, entity) pair the consumer wants to deliver to. */
export interface CursorKey {
  readSideId: string;
  entityId: string;
  shard: number;
}

/**
 * Where a (read side, entity) stands. `generation`, `epoch` and `revision` are the token a
 * commit compares: a cursor of another generation (a deleted read side's) reads as a fresh one.
 */
export interface Cursor {
  generation: string;
  epoch: number;
  revision: number;
  status: CursorStatus;
  attempts: number;
  /** When a retrying cursor's scheduled retry is due (epoch ms). */
  retryAt: number;
  /** When this cursor was last restarted (epoch ms; 0 if never). */
  restartedAt: number;
}

/** The outcome of delivering to one pair: the cursor it read and the cursor to write. */
export interface CursorUpdate {
  key: CursorKey;
  from: Cursor;
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

/** An event the commit appended to the log, at its offset. */
export interface AppendedEntry {
  offset: number;
  entityId: string;
  revision: number;
}

/** What a commit applied: the cursorIds whose write took, and the log offsets appended. */
export interface CommitResult {
  applied: Set<string>;
  appended: AppendedEntry[];
}

/** Every read side, and the cursors they hold for a batch's entities. */
export interface BatchPositions {
  sides: ReadSideRecord[];
  /** By cursorId(readSideId, entityId); current-generation cursors only. */
  cursors: Map<string, Cursor>;
}

/** Cursor reads and writes for the consumer: each call is one D1 round trip. */
export interface CursorStore {
  /**
   * Adds the batch's entities the index lacks (writing nothing for the ones it has), then reads
   * every read side and the cursors they hold for those entities. The index write comes first in the same batch:
   * a read side created after this read finds the entity when its sweep walks the index.
   */
  load(entities: EntityHead[], now: number): Promise<BatchPositions>;
  /**
   * Writes log appends (with the documents' index and the metrics' counters they move), outcomes,
   * parked events and entity heads in one transaction. Each cursor
   * write is a compare-and-set: it applies only if the read side still has the generation, and
   * the cursor the epoch and revision, that the delivery started from — so a restart, skip or
   * delete that happened meanwhile wins, and a cursor never moves backwards. A log append makes
   * the same comparison on the `$log` cursor, so it takes exactly when that cursor's write does.
   */
  commit(updates: CursorUpdate[], parked: ParkedEvent[], heads: EntityHead[], now: number, appends?: LogAppend[]): Promise<CommitResult>;
}

/** The map key of a (read side, entity) pair. */
export function cursorId(readSideId: string, entityId: string): string {
  return `${readSideId}\u0000${entityId}`;
}

/** A cursor that was never written (or belongs to an older generation of its read side). */
export function freshCursor(generation: string): Cursor {
  return { generation, epoch: 0, revision: 0, status: "ok", attempts: 0, retryAt: 0, restartedAt: 0 };
}

/** Longest last_error kept: a handler's error text is for an operator, not a payload store. */
const MAX_ERROR_CHARS = 2000;

type CursorRow = {
  read_side_id: string;
  entity_id: string;
  generation: string;
  epoch: number;
  revision: number;
  status: CursorStatus;
  attempts: number;
  retry_at: number;
  restarted_at: number;
};

/**
 * A CursorStore over D1. Lists travel as one JSON parameter, so a batch costs one statement each.
 * CROSS JOIN fixes SQLite's join order (read sides, then the batch's entities, then a primary-key
 * lookup per cursor): without statistics the planner may otherwise scan every cursor per batch.
 */
export function createCursorStore(db: D1Database): CursorStore {
  return {
    async load(entities, now) {
      const statements: D1PreparedStatement[] = [];
      if (entities.length > 0) statements.push(entityInsert(db, entities, now));
      const entityIds = entities.map((e) => e.entityId);
      statements.push(
        db.prepare(READ_SIDES_SQL),
        db
          .prepare(
            `SELECT c.read_side_id, c.entity_id, c.generation, c.epoch, c.revision, c.status, c.attempts, c.retry_at, c.restarted_at
             FROM sh_read_side r CROSS JOIN json_each(?1) e CROSS JOIN sh_cursor c
               ON c.read_side_id = r.id AND c.entity_id = e.value AND c.generation = r.generation`,
          )
          .bind(JSON.stringify(entityIds)),
      );
      const results = await db.batch(statements);
      const [sides, cursors] = results.slice(-2) as [D1Result<ReadSideRow>, D1Result<CursorRow>];
      return {
        sides: sides.results.map(toRecord),
        cursors: new Map(
          cursors.results.map((c) => [
            cursorId(c.read_side_id, c.entity_id),
            { generation: c.generation, epoch: c.epoch, revision: c.revision, status: c.status, attempts: c.attempts, retryAt: c.retry_at, restartedAt: c.restarted_at },
          ]),
        ),
      };
    },
    async commit(updates, parked, heads, now, appends = []) {
      // The log rows go first: their condition reads the `$log` cursors before the upsert moves them.
      const statements = logAppendStatements(db, appends, now);
      const logStatements = statements.length;
      // The documents' index moves with the log rows that carry their events (see docstore/), and
      // the metrics' counters with them, under the same compare-and-set (before the cursor write).
      statements.push(...docIndexStatements(db, appends, now), ...counterStatements(db, appends, now));
      const indexStatements = statements.length - logStatements;
      if (updates.length > 0) statements.push(cursorUpsert(db, updates, now));
      if (parked.length > 0) statements.push(parkStatement(db, parked, now));
      if (heads.length > 0) statements.push(headUpsert(db, heads, now));
      if (statements.length === 0) return { applied: new Set(), appended: [] };
      const results = await db.batch(statements);
      const appended = results
        .slice(0, logStatements)
        .flatMap((r) => r.results as { log_offset: number; entity_id: string; revision: number }[])
        .map((r) => ({ offset: r.log_offset, entityId: r.entity_id, revision: r.revision }));
      const applied = updates.length > 0 ? ((results[logStatements + indexStatements]?.results ?? []) as { read_side_id: string; entity_id: string }[]) : [];
      return { applied: new Set(applied.map((r) => cursorId(r.read_side_id, r.entity_id))), appended };
    },
  };
}

/**
 * One statement for all of a batch's cursor writes. A row is inserted only while its read side
 * has the generation the consumer read; an existing row is replaced when it belongs to another
 * generation, or when its epoch and revision are still the ones the delivery started from.
 */
function cursorUpsert(db: D1Database, updates: CursorUpdate[], now: number): D1PreparedStatement {
  const rows = updates.map((u) => ({
    r: u.key.readSideId,
    e: u.key.entityId,
    s: u.key.shard,
    g: u.from.generation,
    ep: u.from.epoch,
    from: u.from.revision,
    rev: u.revision,
    st: u.status,
    a: u.attempts,
    f: u.failedRevision,
    err: u.lastError?.slice(0, MAX_ERROR_CHARS) ?? null,
    at: u.retryAt,
    rs: u.from.restartedAt,
  }));
  return db
    .prepare(
      `INSERT INTO sh_cursor (read_side_id, entity_id, shard, generation, epoch, revision, status, attempts, failed_revision,
         last_error, retry_at, restarted_at, updated_at)
       SELECT j.value ->> 'r', j.value ->> 'e', j.value ->> 's', j.value ->> 'g', j.value ->> 'ep', j.value ->> 'rev',
         j.value ->> 'st', j.value ->> 'a', j.value ->> 'f', j.value ->> 'err', j.value ->> 'at', j.value ->> 'rs', ?2
       FROM json_each(?1) j
       WHERE j.value ->> 'g' = (SELECT generation FROM sh_read_side WHERE id = j.value ->> 'r')
       ON CONFLICT (read_side_id, entity_id) DO UPDATE SET generation = excluded.generation, epoch = excluded.epoch,
         revision = excluded.revision, status = excluded.status, attempts = excluded.attempts,
         failed_revision = excluded.failed_revision, last_error = excluded.last_error, retry_at = excluded.retry_at,
         restarted_at = excluded.restarted_at, updated_at = excluded.updated_at
       WHERE sh_cursor.generation != excluded.generation
         OR (sh_cursor.epoch = excluded.epoch AND sh_cursor.revision = (
           SELECT k.value ->> 'from' FROM json_each(?1) k
           WHERE k.value ->> 'r' = sh_cursor.read_side_id AND k.value ->> 'e' = sh_cursor.entity_id))
       RETURNING read_side_id, entity_id`,
    )
    .bind(JSON.stringify(rows), now);
}

/** Records (or refreshes) parked events. */
export function parkStatement(db: D1Database, parked: ParkedEvent[], now: number): D1PreparedStatement {
  const rows = parked.map((p) => ({ r: p.readSideId, e: p.entityId, v: p.revision, why: p.reason.slice(0, MAX_ERROR_CHARS), a: p.attempts }));
  return db
    .prepare(
      `INSERT INTO sh_parked (read_side_id, entity_id, revision, reason, attempts, parked_at)
       SELECT j.value ->> 'r', j.value ->> 'e', j.value ->> 'v', j.value ->> 'why', j.value ->> 'a', ?2 FROM json_each(?1) j WHERE true
       ON CONFLICT (read_side_id, entity_id, revision) DO UPDATE SET reason = excluded.reason,
         attempts = sh_parked.attempts + excluded.attempts, parked_at = excluded.parked_at`,
    )
    .bind(JSON.stringify(rows), now);
}

/** Adds entities the index does not know yet; writes nothing for the ones it does. */
export function entityInsert(db: D1Database, heads: EntityHead[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO sh_entity (entity_id, shard, head_revision, updated_at)
       SELECT j.value ->> 'e', j.value ->> 's', j.value ->> 'h', ?2 FROM json_each(?1) j WHERE true
       ON CONFLICT (entity_id) DO NOTHING`,
    )
    .bind(headsJson(heads), now);
}

/** Raises the index's heads where these are newer; writes nothing where they are not. */
export function headUpsert(db: D1Database, heads: EntityHead[], now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO sh_entity (entity_id, shard, head_revision, updated_at)
       SELECT j.value ->> 'e', j.value ->> 's', j.value ->> 'h', ?2 FROM json_each(?1) j WHERE true
       ON CONFLICT (entity_id) DO UPDATE SET head_revision = excluded.head_revision, updated_at = excluded.updated_at
         WHERE excluded.head_revision > sh_entity.head_revision`,
    )
    .bind(headsJson(heads), now);
}

function headsJson(heads: EntityHead[]): string {
  return JSON.stringify(heads.map((h) => ({ e: h.entityId, s: h.shard, h: h.head })));
}
