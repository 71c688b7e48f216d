// Public surface of rpc/: the Connect services, built once, and the adapter that serves them.
import type { ConnectRouterOptions } from "@connectrpc/connect";
import { ChiefOfStateService } from "../gen/chief_of_state/v1/service_pb.js";
import { createMethodUrl } from "@connectrpc/connect/protocol";
import { EntityService } from "../gen/statehouse/v1/entity_pb.js";
import { ReadSideManagerService } from "../gen/chief_of_state/v1/readside_manager_pb.js";
import { ReadSideAdminService } from "../gen/statehouse/v1/read_sides_pb.js";
import { LogService } from "../gen/statehouse/v1/log_pb.js";
import { EventstoreService } from "../gen/contracts/eventstore/service_pb.js";
import { ConsumerService } from "../gen/contracts/consumerstore/service_pb.js";
import { CrudStoreService } from "../gen/contracts/crudstore/service_pb.js";
import { chiefOfStateService } from "./chief-of-state-service.js";
import { type ConnectFetchHandler, createConnectFetchHandler } from "./connect-adapter.js";
import { entityService } from "./entity-service.js";
import { eskitConsumerService } from "./eskit-consumer-service.js";
import { eskitCrudService } from "./eskit-crud-service.js";
import { eskitEventstoreService } from "./eskit-eventstore-service.js";
import { errorInterceptor } from "./error-interceptor.js";
import { logService } from "./log-service.js";
import { createProcessCommandBinary } from "./process-command-binary.js";
import { readSideAdminService } from "./read-side-admin-service.js";
import { readSideManagerService } from "./read-side-manager-service.js";

export type { ConnectFetchHandler } from "./connect-adapter.js";
export {
  type CommandOptions,
  type CommandPayload,
  type CommandRequest,
  buildCommandInput,
  readCommand,
} from "./command-input.js";
export { type CrudRequestValues, createRequestCrudStore } from "./eskit-crud-service.js";
export { JOURNAL_PAGE_DEFAULT, JOURNAL_PAGE_MAX, journalLimit } from "./entity-service.js";
export {
  EXPECTED_REVISION_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  optionsFromHeaders,
  parseIdempotencyKey,
  parseUint32,
  pickHeaders,
} from "./request-options.js";
export { type RpcRequestValues, createRequestContextValues } from "./request-values.js";

/**
 * Builds, once, the handler for every Connect service: the write side (ChiefOfStateService,
 * statehouse.v1.EntityService) and the read-side admin services (CoS's ReadSideManagerService,
 * statehouse.v1.ReadSideAdminService; the front door requires the admin token for them), the log
 * (statehouse.v1.LogService) and eskit's EventstoreService, ConsumerService and CrudStoreService. Each
 * request brings its entity client, config and read-side manager as context values (see
 * createRequestContextValues); every failure is mapped to a Connect error by one interceptor.
 * ChiefOfStateService/ProcessCommand in Connect binary skips the router (process-command-binary.ts).
 */
export function createConnectServices(options: Omit<ConnectRouterOptions, "interceptors">): ConnectFetchHandler {
  return createConnectFetchHandler(
    (router) => {
      router.service(ChiefOfStateService, chiefOfStateService());
      router.service(EntityService, entityService());
      router.service(ReadSideManagerService, readSideManagerService());
      router.service(ReadSideAdminService, readSideAdminService());
      router.service(LogService, logService());
      router.service(EventstoreService, eskitEventstoreService());
      router.service(ConsumerService, eskitConsumerService());
      router.service(CrudStoreService, eskitCrudService());
    },
    { ...options, interceptors: [errorInterceptor] },
    new Map([[createMethodUrl("/", ChiefOfStateService.method.processCommand), createProcessCommandBinary(options)]]),
  );
}
