// The front door the test helpers call: the Worker as the project configured it (SELF); for a file
// that needs other variables, the same Worker's fetch handler called with them; or another
// Statehouse Worker the project runs beside it (vitest.config.ts, statehouseWorker).
//
// Configuration is read from the env a request comes with (load-config.ts keeps one parse per env
// object), so a file can try another configuration of the front door without a workerd of its own.
// Durable Objects, the Queue consumer and the reconciler still see the project's env: only what the
// front door decides before reaching them is a fair use (a configuration error, a feature turned off).
import { SELF, applyD1Migrations, createExecutionContext, env } from "cloudflare:test";
import { afterAll, beforeAll } from "vitest";
import worker from "../../src/index.js";

type FrontDoor = { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> };

let current: FrontDoor = SELF;

/** What the helpers' requests go through. */
export function frontDoor(): FrontDoor {
  return current;
}

/** For the file or describe block calling it: every helper request sees `vars` over the project's. */
export function useFrontDoorVars(vars: Partial<Record<keyof Env, string>>): void {
  const withVars = { ...env, ...vars } as Env;
  useFrontDoor({ fetch: async (input, init) => worker.fetch(new Request(input, init), withVars, createExecutionContext()) });
}

/**
 * For the file or describe block calling it: every helper request goes to `door`, another
 * Statehouse Worker's Service Binding, once `database` (that Worker's D1, which the file's reset()
 * emptied) has the migrations.
 */
export function useFrontDoor(door: FrontDoor, database?: D1Database): void {
  beforeAll(async () => {
    if (database !== undefined) await applyD1Migrations(database, env.TEST_MIGRATIONS);
    current = door;
  });
  afterAll(() => {
    current = SELF;
  });
}
