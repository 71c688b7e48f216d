// Public surface of rpc/: the Connect services and the adapter that serves them.
import type { ConnectRouter } from "@connectrpc/connect";
import type { Config } from "../config/index.js";
import type { EntityClient } from "../entity/index.js";
import { ChiefOfStateService } from "../gen/chief_of_state/v1/service_pb.js";
import { EntityService } from "../gen/statehouse/v1/entity_pb.js";
import { chiefOfStateService } from "./chief-of-state-service.js";
import { entityService } from "./entity-service.js";
import { ReadSideManagerService } from "../gen/chief_of_state/v1/readside_manager_pb.js";
import { ReadSideManager, createReadSideContext } from "../readside/index.js";
import { readSideManagerService } from "./read-side-manager-service.js";
import { ReadSideAdminService } from "../gen/statehouse/v1/read_sides_pb.js";
import { readSideAdminService } from "./read-side-admin-service.js";

export { createConnectFetchHandler } from "./connect-adapter.js";
export type { ConnectFetchHandler } from "./connect-adapter.js";
export { JOURNAL_PAGE_DEFAULT, JOURNAL_PAGE_MAX, journalLimit } from "./entity-service.js";
export {
  IDEMPOTENCY_KEY_HEADER,
  optionsFromHeaders,
  parseIdempotencyKey,
  parseUint32,
  pickHeaders,
} from "./request-options.js";

/** Registers the write-side services: ChiefOfStateService and statehouse.v1.EntityService. */
export function writeSideRoutes(entities: EntityClient, config: Config): (router: ConnectRouter) => void {
  return (router) => {
    router.service(ChiefOfStateService, chiefOfStateService(entities, config));
    router.service(EntityService, entityService(entities, config));
  };
}

/**
 * Registers the read-side admin services (admin token required): CoS's ReadSideManagerService
 * and statehouse.v1.ReadSideAdminService.
 */
export function readSideRoutes(env: Env): (router: ConnectRouter) => void {
  return (router) => {
    const manager = new ReadSideManager(createReadSideContext(env));
    router.service(ReadSideManagerService, readSideManagerService(manager));
    router.service(ReadSideAdminService, readSideAdminService(manager));
  };
}
