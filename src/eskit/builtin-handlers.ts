// eskit's built-in write handlers, which a command may name instead of the configured one: same fold, same commit. Wired into the entity as a table.
import { create, fromBinary } from "@bufbuild/protobuf";
import { anyIs } from "@bufbuild/protobuf/wkt";
import { StatehouseError } from "../errors.js";
import { HandleCommandResponseSchema, HandleEventResponseSchema } from "../gen/chief_of_state/v1/writeside_pb.js";
import { EventSchema } from "../gen/contracts/eventstore/event_pb.js";
import type { BuiltinHandlers, TypeValidation } from "../entity/index.js";
import type { WriteHandler } from "../handlers/index.js";
import { emptyStateAny } from "../payload/index.js";
import { crudHandler } from "./crud-handler.js";
import { CRUD_ENTITY_PREFIX } from "./store/index.js";

/** The built-in handlers a CommandInput may name (`builtin`). */
export type EskitBuiltinName = "eskit-append" | "eskit-crud";

/** The configured type lists name the user's types; a built-in handler's are Statehouse's own. */
const NO_VALIDATION: TypeValidation = { enabled: false, stateTypes: new Set(), eventTypes: new Set() };

/**
 * eskit's table of built-in write handlers: `eskit-append` (EventstoreService.Append) and
 * `eskit-crud` (the CRUD store's documents). Document entity ids are the CRUD store's own: a
 * command on one must name eskit-crud, and eskit-crud touches nothing else.
 */
export const eskitBuiltins: BuiltinHandlers = {
  select(entityId, name) {
    if (entityId.startsWith(CRUD_ENTITY_PREFIX) !== (name === "eskit-crud")) {
      throw new StatehouseError("invalid_argument", `entity ids starting with ${CRUD_ENTITY_PREFIX} are reserved for the CRUD store's documents`);
    }
    switch (name) {
      case undefined:
        return undefined;
      case "eskit-append":
        return { handler: eskitAppend, validation: NO_VALIDATION };
      case "eskit-crud":
        return { handler: crudHandler, validation: NO_VALIDATION };
      default:
        throw new StatehouseError("invalid_argument", `no built-in write handler is named ${JSON.stringify(name)}`);
    }
  },
};

/**
 * eskit's EventstoreService.Append: the command is the contracts.eventstore.Event to store, and
 * it is stored as it came, as the one event. Its originator.version is the revision it becomes:
 * a version the entity already has is already_exists (as eskit answers a duplicate), one past the
 * next is failed_precondition naming the next. Checked here, inside the entity's command queue,
 * so two appends racing for one version cannot both win. The state is left as it was (Empty for
 * an entity only eskit writes to): eskit's event store keeps none.
 */
const eskitAppend: WriteHandler = {
  async handleCommand(req) {
    const command = req.command;
    if (command === undefined || !anyIs(command, EventSchema)) {
      throw new StatehouseError("invalid_argument", "an eskit append takes a contracts.eventstore.Event");
    }
    const event = fromBinary(EventSchema, command.value);
    const entityId = req.priorEventMeta?.entityId ?? "";
    const current = req.priorEventMeta?.revisionNumber ?? 0;
    const version = Number(event.originator?.version);
    if (event.originator?.id !== entityId || !Number.isSafeInteger(version) || version < 1) {
      throw new StatehouseError("invalid_argument", "the event's originator does not name this entity and a version from 1");
    }
    if (version <= current) {
      throw new StatehouseError("already_exists", `duplicate: version ${version} of ${entityId} is taken (it is at version ${current})`);
    }
    if (version > current + 1) {
      throw new StatehouseError("failed_precondition", `version ${version} of ${entityId} would leave a gap: the next version is ${current + 1}`);
    }
    return create(HandleCommandResponseSchema, { events: [command] });
  },
  async handleEvent(req) {
    return create(HandleEventResponseSchema, { resultingState: req.priorState ?? emptyStateAny() });
  },
};
