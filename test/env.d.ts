// Bindings that exist only in tests.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** The test read-side handler (test/fixtures/read-side-handler), a Node server on 127.0.0.1. */
    READ_SIDE_HANDLER_URL: string;
  }
}
