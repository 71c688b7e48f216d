// Journal, snapshot and idempotency rows inside one entity's SQLite: every read and write goes here.
import { TABLES, type TableName, existingTables } from "./schema.js";

/** One committed event: the event, the state it produced and its meta, all as serialized bytes. */
export interface JournalEntry {
  revision: number;
  event: Uint8Array;
  state: Uint8Array;
  meta: Uint8Array;
}

/** State and meta at one revision (from a journal row or a snapshot). */
export interface StateRow {
  revision: number;
  state: Uint8Array;
  meta: Uint8Array;
}

/** What an append writes besides the events themselves. */
export interface AppendOptions {
  /** The outbox mark to record with the rows. */
  published: number;
  snapshotFrequency: number;
  snapshotsToRetain: number;
  idempotency?: { key: string; commandHash: Uint8Array; now: number };
}

/** SQLite rows read and written since the object started (the platform bills both). */
export interface RowCounts {
  rowsRead: number;
  rowsWritten: number;
}

type Row = {
  revision: number;
  event: ArrayBuffer;
  state: ArrayBuffer;
  meta: ArrayBuffer;
  published: number;
  command_hash: ArrayBuffer;
};

/** Creates the journal store on an object's storage (reads which tables exist; writes nothing). */
export function createJournalStore(storage: DurableObjectStorage): JournalStore {
  return new JournalStore(storage);
}

/** Reads and writes one entity's journal, snapshots and idempotency keys. */
export class JournalStore {
  readonly counts: RowCounts = { rowsRead: 0, rowsWritten: 0 };
  private tables: Set<TableName>;

  constructor(private readonly storage: DurableObjectStorage) {
    this.tables = existingTables(storage.sql);
  }

  /** The newest revision with its state and the recorded outbox mark; undefined for a new entity. */
  head(): (StateRow & { published: number }) | undefined {
    const row = this.tables.has("sh_journal") && this.one(
      "SELECT revision, state, meta, published FROM sh_journal ORDER BY revision DESC LIMIT 1",
    );
    if (row) return { ...toStateRow(row), published: Number(row.published) };
    const snap = this.tables.has("sh_snapshot") && this.one("SELECT revision, state, meta FROM sh_snapshot ORDER BY revision DESC LIMIT 1");
    return snap ? { ...toStateRow(snap), published: Number(snap.revision) } : undefined;
  }

  /** State and meta right after `revision`, if the journal or a snapshot still holds it. */
  stateAt(revision: number): StateRow | undefined {
    const row =
      (this.tables.has("sh_journal") && this.one("SELECT revision, state, meta FROM sh_journal WHERE revision = ?", revision)) ||
      (this.tables.has("sh_snapshot") && this.one("SELECT revision, state, meta FROM sh_snapshot WHERE revision = ?", revision));
    return row ? toStateRow(row) : undefined;
  }

  /**
   * Up to `limit` journal rows from `from` on, oldest first, stopping once `maxBytes` are read
   * (always at least one row, so a page of one large row still makes progress).
   */
  read(from: number, limit: number, maxBytes: number): JournalEntry[] {
    if (!this.tables.has("sh_journal")) return [];
    const cursor = this.storage.sql.exec<Row>(
      "SELECT revision, event, state, meta FROM sh_journal WHERE revision >= ? ORDER BY revision LIMIT ?",
      from,
      limit,
    );
    const rows: JournalEntry[] = [];
    let bytes = 0;
    // The cursor steps lazily: rows past the byte budget are never read into memory.
    for (const r of cursor) {
      const row = { revision: Number(r.revision), event: toBytes(r.event), state: toBytes(r.state), meta: toBytes(r.meta) };
      rows.push(row);
      bytes += row.event.byteLength + row.state.byteLength + row.meta.byteLength;
      if (bytes >= maxBytes) break;
    }
    this.counts.rowsRead += cursor.rowsRead;
    return rows;
  }

  /**
   * The newest revision compaction may remove up to: rows older than the oldest retained snapshot;
   * undefined when there are none.
   */
  compactable(): number | undefined {
    if (!this.tables.has("sh_snapshot") || !this.tables.has("sh_journal")) return undefined;
    const snap = this.one("SELECT min(revision) AS revision FROM sh_snapshot");
    const first = this.firstRetained();
    const oldest = snap === undefined || snap.revision === null ? 0 : Number(snap.revision);
    return first > 0 && first < oldest ? oldest - 1 : undefined;
  }

  /**
   * Deletes journal rows up to `upTo` that are older than the oldest retained snapshot, and records
   * how far and when, in one transaction; the count deleted.
   */
  compact(upTo: number, now: number): number {
    const bound = this.compactable();
    if (bound === undefined || Math.min(bound, upTo) < this.firstRetained()) return 0;
    const last = Math.min(bound, upTo);
    let deleted = 0;
    this.storage.transactionSync(() => {
      deleted = this.storage.sql.exec("DELETE FROM sh_journal WHERE revision <= ?", last).rowsWritten;
      this.counts.rowsWritten += deleted;
      this.ensure("sh_compaction");
      this.run("INSERT INTO sh_compaction (id, up_to, at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET up_to = excluded.up_to, at = excluded.at", last, now);
    });
    return deleted;
  }

  /** When compaction last deleted journal rows (epoch ms), 0 if it never did. */
  compactedAt(): number {
    const row = this.tables.has("sh_compaction") && this.one("SELECT at AS revision FROM sh_compaction WHERE id = 1");
    return row ? Number(row.revision) : 0;
  }

  /** The oldest revision still in the journal, 0 when it is empty. */
  firstRetained(): number {
    const row = this.tables.has("sh_journal") && this.one("SELECT revision FROM sh_journal ORDER BY revision LIMIT 1");
    return row ? Number(row.revision) : 0;
  }

  /** The revision and command hash recorded for an idempotency key. */
  idempotencyKey(key: string): { revision: number; commandHash: Uint8Array } | undefined {
    const row = this.tables.has("sh_idempotency")
      ? this.one("SELECT revision, command_hash FROM sh_idempotency WHERE key = ?", key)
      : undefined;
    return row === undefined
      ? undefined
      : { revision: Number(row.revision), commandHash: toBytes(row.command_hash) };
  }

  /**
   * Appends events, takes a snapshot when a multiple of the frequency is crossed, prunes old
   * snapshots and records the idempotency key — all in one transaction, so either everything is
   * durable or nothing is. Compaction is separate (`compact`): it waits for the read sides.
   */
  append(rows: readonly JournalEntry[], priorRevision: number, opts: AppendOptions): void {
    try {
      this.storage.transactionSync(() => this.write(rows, priorRevision, opts));
    } catch (cause) {
      // The transaction rolled back, table creations included.
      this.tables = existingTables(this.storage.sql);
      throw cause;
    }
  }

  private write(rows: readonly JournalEntry[], priorRevision: number, opts: AppendOptions): void {
    if (rows.length > 0) this.ensure("sh_journal");
    for (const r of rows) {
      this.run(
        "INSERT INTO sh_journal (revision, event, state, meta, published) VALUES (?, ?, ?, ?, ?)",
        r.revision,
        r.event,
        r.state,
        r.meta,
        opts.published,
      );
    }
    const last = rows.at(-1);
    const snapshot = last && lastMultipleIn(priorRevision, last.revision, opts.snapshotFrequency);
    if (snapshot !== undefined) {
      const row = rows.find((r) => r.revision === snapshot) as JournalEntry;
      this.ensure("sh_snapshot");
      this.run("INSERT INTO sh_snapshot (revision, state, meta) VALUES (?, ?, ?)", row.revision, row.state, row.meta);
      this.pruneSnapshots(opts);
    }
    if (opts.idempotency) {
      const { key, commandHash, now } = opts.idempotency;
      this.ensure("sh_idempotency");
      this.run(
        "INSERT INTO sh_idempotency (key, revision, command_hash, created_at) VALUES (?, ?, ?, ?)",
        key,
        last?.revision ?? priorRevision,
        commandHash,
        now,
      );
    }
  }

  private ensure(table: TableName): void {
    if (this.tables.has(table)) return;
    this.run(TABLES[table]);
    this.tables.add(table);
  }

  /** Forgets idempotency keys recorded before `before` (ms since the epoch). */
  expireIdempotencyKeys(before: number): void {
    if (!this.tables.has("sh_idempotency")) return;
    this.run("DELETE FROM sh_idempotency WHERE created_at < ?", before);
  }

  private pruneSnapshots(opts: AppendOptions): void {
    const keep = this.all(
      "SELECT revision FROM sh_snapshot ORDER BY revision DESC LIMIT ?",
      opts.snapshotsToRetain,
    );
    const oldestKept = keep.at(-1);
    if (oldestKept === undefined) return;
    const oldest = Number(oldestKept.revision);
    this.run("DELETE FROM sh_snapshot WHERE revision < ?", oldest);
  }

  private one(query: string, ...params: Param[]): Row | undefined {
    return this.all(query, ...params)[0];
  }

  // Each query names the columns it reads; Row lists every column any of them reads.
  private all(query: string, ...params: Param[]): Row[] {
    const cursor = this.storage.sql.exec<Row>(query, ...params.map(toSqlValue));
    const rows = cursor.toArray();
    this.counts.rowsRead += cursor.rowsRead;
    this.counts.rowsWritten += cursor.rowsWritten;
    return rows;
  }

  private run(query: string, ...params: Param[]): void {
    this.all(query, ...params);
  }
}

/** The largest multiple of `every` in (after, upTo], if any. */
function lastMultipleIn(after: number, upTo: number, every: number): number | undefined {
  const m = Math.floor(upTo / every) * every;
  return m > after ? m : undefined;
}

function toStateRow(row: Row): StateRow {
  return { revision: Number(row.revision), state: toBytes(row.state), meta: toBytes(row.meta) };
}

function toBytes(v: ArrayBuffer): Uint8Array {
  return new Uint8Array(v);
}

type Param = string | number | Uint8Array;

// SQLite in workerd binds BLOBs from ArrayBuffers.
function toSqlValue(p: Param): SqlStorageValue {
  if (!(p instanceof Uint8Array)) return p;
  return p.byteOffset === 0 && p.byteLength === p.buffer.byteLength
    ? (p.buffer as ArrayBuffer)
    : (p.slice().buffer as ArrayBuffer);
}
