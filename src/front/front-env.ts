// The hono environment every front-door route shares.
import type { EntityClient, EntitySubscriptions } from "../entity/index.js";

/** Bindings plus the per-request entity client and subscriptions. */
export interface FrontEnv {
  Bindings: Env;
  Variables: { entities: EntityClient; subscriptions: EntitySubscriptions };
}
