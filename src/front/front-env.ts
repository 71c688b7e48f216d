// The hono environment every front-door route shares, and the services the composition root hands it.
import type { Config } from "../config/index.js";
import type { DocIndex, TypeStore } from "../eskit/store/index.js";
import type { EntityClient, EntitySubscriptions } from "../entity/index.js";
import type { EventLog } from "../eventlog/index.js";
import type { MetricFamily } from "../metrics/index.js";
import type { ReadSideManager } from "../readside/index.js";
import type { LogStreams } from "../streams/index.js";

/** What the front door uses, built once per env by the composition root (src/services.ts). */
export interface FrontServices {
  config: Config;
  entities: EntityClient;
  subscriptions: EntitySubscriptions;
  manager: ReadSideManager;
  eventLog: EventLog;
  logStreams: LogStreams;
  docIndex: DocIndex;
  typeStore: TypeStore;
  readMetrics(): Promise<MetricFamily[]>;
  findEntities(q: { prefix: string; after: string; limit: number }): Promise<{ entityId: string; headRevision: number }[]>;
}

/** Builds (or returns the built) services for an env; throws the configuration's error while it is invalid. */
export type ServicesOf = (env: Env) => FrontServices;

/** Bindings plus the per-request services, entity client and subscriptions. */
export interface FrontEnv {
  Bindings: Env;
  Variables: { services: FrontServices; entities: EntityClient; subscriptions: EntitySubscriptions };
}
