// The hono environment every front-door route shares.
import type { EntityClient } from "../entity/index.js";

/** Bindings plus the per-request entity client. */
export interface FrontEnv {
  Bindings: Env;
  Variables: { entities: EntityClient };
}
