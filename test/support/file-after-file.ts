// Runs a project's test files one after another as one vitest file, each from empty storage.
//
// Vitest gives every slot that takes a file of a project a workerd of its own (about 4 s of CPU to
// start: measured, strict's 9 files took 22.3 s on one slot and 23.2 s on three, with 8.8 s more
// CPU). For a project of short files that costs more than it gains, so its files run as the
// describe blocks of one file: `fileAfterFile(import.meta.glob(...))`. Each keeps its own name,
// tests and hooks, and starts as a file of its own would: storage emptied, the D1 migrations
// applied (what test/setup.ts does before a file).
import { applyD1Migrations, env, reset } from "cloudflare:test";
import { beforeAll, describe } from "vitest";

/**
 * `files` by path (import.meta.glob's lazy loaders), in path order but for `last`: files whose
 * traffic can outlive them (a Queue message in a retry's delay survives reset()) go after the
 * files that drive a partition's store directly and would meet it.
 */
export function fileAfterFile(files: Record<string, () => Promise<unknown>>, last: string[] = []): void {
  const rank = (path: string) => (last.includes(path) ? 1 : 0);
  for (const [path, load] of Object.entries(files).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))) {
    describe(path.replace(/^\.\//, ""), async () => {
      beforeAll(async () => {
        await reset();
        await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
      });
      await load();
    });
  }
}
