// Bindings that exist only in tests.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** The test read-side handler (test/fixtures/read-side-handler), a Node server on 127.0.0.1. */
    READ_SIDE_HANDLER_URL: string;
    /** The default project's Statehouse Workers with WRITE_HANDLER_URL in each protocol (vitest.config.ts, statehouseWorker). */
    STATEHOUSE_URL_CONNECT: Fetcher;
    STATEHOUSE_URL_CONNECT_JSON: Fetcher;
    STATEHOUSE_URL_GRPC_WEB: Fetcher;
    STATEHOUSE_URL_COS_HTTP: Fetcher;
    /** Their D1 databases, bound here to apply the migrations (each binding's name is DB_ and the Worker's). */
    DB_STATEHOUSE_URL_CONNECT: D1Database;
    DB_STATEHOUSE_URL_CONNECT_JSON: D1Database;
    DB_STATEHOUSE_URL_GRPC_WEB: D1Database;
    DB_STATEHOUSE_URL_COS_HTTP: D1Database;
    /** The default project's Statehouse Worker with the bank example as write handler, and the example's read side Worker. */
    STATEHOUSE_BANK: Fetcher;
    BANK_BALANCES: Fetcher;
    DB_STATEHOUSE_BANK: D1Database;
  }
}

/** Vite's import.meta.glob, as test/support/file-after-file.ts's callers use it (lazy loaders by path). */
interface ImportMeta {
  glob(patterns: string | string[]): Record<string, () => Promise<unknown>>;
}
