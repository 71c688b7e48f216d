// The order test files start in. Vitest runs one queue of files on `maxWorkers` slots; a file of a
// project whose files share a workerd (isolate: false) reuses the workerd of the file before it on
// its slot, any other starts a workerd of its own (seconds each). Its default order is projects by
// name, then (with no results cache, as on CI) files as found.
//
// Here: the projects that start a workerd per file first; the Node projects, whose long files mostly
// wait (dev.sh's child processes, the CLI's wrangler dev), just before the default project, so the
// default project's workerd starts (seconds, on every slot) overlap those waits instead of leaving
// every slot idle; the default project, with many short files, last, so the slots finish together.
// Within a project, files known to be long first, then the larger file (the longer, as a rule). The
// same order with or without a results cache.
import { statSync } from "node:fs";
import { BaseSequencer, type TestSpecification } from "vitest/node";

const PROJECT_ORDER = ["default-isolated", "resize-isolated", "partitions", "resize", "small-log", "strict", "unit", "cli", "default"];

/**
 * Files measured at 5 s or more in a full run on a 2-core machine (2026-12-07): they start first
 * in their project, so a slot does not take one on when the others are about to finish.
 */
const LONG_FILES = [
  "test/scripts/dev-script.unit.test.ts",
  "test/handlers/write-handler.protocol.test.ts",
  "test/readside/lag-seconds.e2e.test.ts",
  "test/front/fuzz.e2e.test.ts",
  "test/readside/policies.e2e.test.ts",
  "test/readside/carried-rows.int.test.ts",
  "test/eventlog/log.e2e.test.ts",
];

function weight(file: string): number {
  const i = LONG_FILES.findIndex((f) => file.endsWith(f));
  return i < 0 ? 0 : LONG_FILES.length - i;
}

function rank(project: string): number {
  const i = PROJECT_ORDER.indexOf(project);
  return i < 0 ? PROJECT_ORDER.length : i;
}

export class ProjectOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const size = new Map(files.map((f) => [f.moduleId, statSync(f.moduleId).size]));
    return [...files].sort(
      (a, b) =>
        rank(a.project.name) - rank(b.project.name) ||
        a.project.name.localeCompare(b.project.name) ||
        weight(b.moduleId) - weight(a.moduleId) ||
        (size.get(b.moduleId) ?? 0) - (size.get(a.moduleId) ?? 0),
    );
  }
}
