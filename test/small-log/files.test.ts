// The small-log configuration's files, one after another in one workerd (test/support/file-after-file.ts).
import { fileAfterFile } from "../support/file-after-file.js";

fileAfterFile(import.meta.glob(["./*.e2e.test.ts", "./*.int.test.ts"]));
