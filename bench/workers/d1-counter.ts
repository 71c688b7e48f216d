// Counts every D1 statement a Worker and its Durable Objects run, with the rows D1 reports, by the table it writes.
import { type SqlTally, createSqlTally, writtenTable } from "./sql-counter.js";
import { countR2 } from "./r2-counter.js";

/** D1 statements (a batch counts each of its statements) and D1's meta.rows_read / rows_written, by written table. */
export const d1Totals: SqlTally = createSqlTally();

type D1Meta = { meta?: { rows_read?: number; rows_written?: number } };

function tally(result: unknown, table: string): void {
  const m = (result as D1Meta | null)?.meta;
  const read = m?.rows_read ?? 0;
  const written = m?.rows_written ?? 0;
  d1Totals.statements++;
  d1Totals.rowsRead += read;
  d1Totals.rowsWritten += written;
  const t = (d1Totals.byTable[table] ??= { statements: 0, rowsRead: 0, rowsWritten: 0 });
  t.statements++;
  t.rowsRead += read;
  t.rowsWritten += written;
}

/** The written table of each wrapped statement, for batches. */
const statementTable = new WeakMap<object, string>();

function wrapStatement(stmt: D1PreparedStatement, table: string): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== "function") return v;
      if (prop === "bind") return (...args: unknown[]) => wrapStatement((v as (...a: unknown[]) => D1PreparedStatement).apply(target, args), table);
      if (prop === "run" || prop === "all") {
        return async (...args: unknown[]) => {
          const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          tally(r, table);
          return r;
        };
      }
      if (prop === "first" || prop === "raw") {
        // These answer rows only, without meta: the statement counts, its rows cannot be known.
        return async (...args: unknown[]) => {
          const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          tally(null, table);
          return r;
        };
      }
      return (v as (...a: unknown[]) => unknown).bind(target);
    },
  });
  statementTable.set(proxy, table);
  return proxy;
}

/** `db` with every statement counted into `d1Totals`. */
export function countD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === "prepare") return (q: string) => wrapStatement(target.prepare(q), writtenTable(q));
      if (prop === "batch") {
        return async (stmts: D1PreparedStatement[]) => {
          const rs = await target.batch(stmts);
          rs.forEach((r, i) => tally(r, statementTable.get(stmts[i] as object) ?? "read"));
          return rs;
        };
      }
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const counted = new WeakMap<object, Env>();

/**
 * The env with DB counted (and the LOG_ARCHIVE bucket, where one is bound: r2-counter.ts), the
 * same object for the same env: the composition root builds its services once per env object, so
 * every handler and object of an isolate must see one copy.
 */
export function countingEnv(env: Env): Env {
  let e = counted.get(env);
  if (e === undefined) {
    const archive = (env as { LOG_ARCHIVE?: R2Bucket }).LOG_ARCHIVE;
    e = { ...env, DB: countD1(env.DB), ...(archive === undefined ? {} : { LOG_ARCHIVE: countR2(archive) }) };
    counted.set(env, e);
  }
  return e;
}
