// Counts the SQLite rows every statement of a Durable Object reads and writes (the platform bills both), by the table it writes.

/** Rows read and written, and statements run, by one group of statements. */
export interface SqlCount {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

/** What a class of objects ran since the isolate started: totals, and the same by the bucket `classify` gave each statement. */
export interface SqlTally extends SqlCount {
  byTable: Record<string, SqlCount>;
}

/** Names the bucket of a statement (by default the table it writes; `read` for the rest). */
export type Classify = (query: string) => string;

/** The table an INSERT, UPDATE, DELETE or REPLACE writes, or `read` (SELECT, schema statements, …). */
export function writtenTable(query: string): string {
  const m = /^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i.exec(query);
  return m?.[1] ?? "read";
}

/** A new, empty tally. */
export function createSqlTally(): SqlTally {
  return { statements: 0, rowsRead: 0, rowsWritten: 0, byTable: {} };
}

/** The ladder's and the EntityObject's statements (every class that does not pass its own tally). */
export const sqlTotals: SqlTally = createSqlTally();

type Cursor = SqlStorageCursor<Record<string, SqlStorageValue>>;
const open: { cursor: Cursor; tally: SqlTally; bucket: string }[] = [];

/**
 * Wraps `storage.sql.exec` so each cursor is remembered with its bucket; its rows are added to
 * `tally` when `settleSqlTotals` runs (a cursor's counts are final once it has been read, which
 * every caller does). Classifications are cached per query text: the same statements repeat.
 */
export function countSql(storage: DurableObjectStorage, tally: SqlTally = sqlTotals, classify: Classify = writtenTable): void {
  const sql = storage.sql;
  const exec = sql.exec.bind(sql);
  const buckets = new Map<string, string>();
  Object.defineProperty(sql, "exec", {
    configurable: true,
    value: (query: string, ...params: SqlStorageValue[]) => {
      const cursor = exec(query, ...params);
      let bucket = buckets.get(query);
      if (bucket === undefined) buckets.set(query, (bucket = classify(query)));
      tally.statements++;
      (tally.byTable[bucket] ??= { statements: 0, rowsRead: 0, rowsWritten: 0 }).statements++;
      open.push({ cursor, tally, bucket });
      if (open.length > 256) settleSqlTotals();
      return cursor;
    },
  });
}

/** Folds remembered cursors into their tallies and returns the default one. */
export function settleSqlTotals(): SqlTally {
  for (const { cursor, tally, bucket } of open.splice(0)) {
    const read = cursor.rowsRead;
    const written = cursor.rowsWritten;
    tally.rowsRead += read;
    tally.rowsWritten += written;
    const b = tally.byTable[bucket] as SqlCount;
    b.rowsRead += read;
    b.rowsWritten += written;
  }
  return sqlTotals;
}
