// The resize configuration's files, one after another in one workerd (test/support/file-after-file.ts),
// but for reconciler-during-move, which gets a workerd of its own (vitest.config.ts, resize-isolated).
import { fileAfterFile } from "../support/file-after-file.js";

// one-to-two sends commands through the pipeline; the others drive the partitions' stores directly
// (a leftover delivery holding a shard's lease would make their loads wait): it goes last.
fileAfterFile(import.meta.glob(["./*.e2e.test.ts", "./*.int.test.ts", "!./reconciler-during-move.int.test.ts"]), ["./one-to-two.e2e.test.ts"]);
