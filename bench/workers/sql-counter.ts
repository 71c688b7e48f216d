// Counts the SQLite rows every statement of a Durable Object reads and writes (the platform bills both).

/** Rows read and written, and statements run, since the isolate started (all objects of a class). */
export const sqlTotals = { rowsRead: 0, rowsWritten: 0, statements: 0 };
const open: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];

/**
 * Wraps `storage.sql.exec` so each cursor is remembered; its rows are added to `sqlTotals` when
 * `settleSqlTotals` runs (a cursor's counts are final once it has been read, which every caller does).
 */
export function countSql(storage: DurableObjectStorage): void {
  const sql = storage.sql;
  const exec = sql.exec.bind(sql);
  Object.defineProperty(sql, "exec", {
    configurable: true,
    value: (query: string, ...params: SqlStorageValue[]) => {
      const cursor = exec(query, ...params);
      sqlTotals.statements++;
      open.push(cursor);
      if (open.length > 256) settleSqlTotals();
      return cursor;
    },
  });
}

/** Folds remembered cursors into the totals and returns them. */
export function settleSqlTotals(): typeof sqlTotals {
  for (const c of open.splice(0)) {
    sqlTotals.rowsRead += c.rowsRead;
    sqlTotals.rowsWritten += c.rowsWritten;
  }
  return sqlTotals;
}
