// The balances table in the read side's own D1: one row per account, written from each event's state.

/** One account as the read side serves it. */
export interface BalanceRow {
  account_id: string;
  owner: string;
  balance: number;
  status: string;
  revision: number;
  updated_at: string;
}

const ready = new WeakMap<D1Database, Promise<unknown>>();

/** Creates the table on first use (an example keeps its setup to one step; a real one uses migrations). */
function ensureTable(db: D1Database): Promise<unknown> {
  let p = ready.get(db);
  if (p === undefined) {
    p = db
      .prepare(
        `CREATE TABLE IF NOT EXISTS balances (account_id TEXT PRIMARY KEY, owner TEXT NOT NULL, balance REAL NOT NULL,
           status TEXT NOT NULL, revision INTEGER NOT NULL, updated_at TEXT NOT NULL)`,
      )
      .run();
    ready.set(db, p);
  }
  return p;
}

/**
 * Writes an account's state as of `revision`. Deliveries are at least once and in order per
 * account, so the newest revision wins and a duplicate (or a replay after a restart) is harmless.
 */
export async function upsertBalance(db: D1Database, row: Omit<BalanceRow, "updated_at">): Promise<void> {
  await ensureTable(db);
  await db
    .prepare(
      `INSERT INTO balances (account_id, owner, balance, status, revision, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET owner = excluded.owner, balance = excluded.balance, status = excluded.status,
         revision = excluded.revision, updated_at = excluded.updated_at
       WHERE excluded.revision >= balances.revision`,
    )
    .bind(row.account_id, row.owner, row.balance, row.status, row.revision, new Date().toISOString())
    .run();
}

/** Every account, or one. */
export async function readBalances(db: D1Database, accountId?: string): Promise<BalanceRow[]> {
  await ensureTable(db);
  const stmt =
    accountId === undefined
      ? db.prepare("SELECT * FROM balances ORDER BY account_id")
      : db.prepare("SELECT * FROM balances WHERE account_id = ?").bind(accountId);
  return (await stmt.all<BalanceRow>()).results;
}
