// Runs before each test file. Files of a project share one workerd (isolate: false), so the file
// starts from empty storage: reset() deletes every Durable Object's and D1's data, and the D1
// migrations are applied again on the empty database. (A file that calls another Statehouse Worker
// of the project migrates that one's D1 itself: test/support/front-door.ts, useFrontDoor.)
import { applyD1Migrations, env, reset } from "cloudflare:test";

await reset();
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
