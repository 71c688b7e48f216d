// The front door's side of EntityObject RPC: validates the id, routes by name, unwraps typed results.
import { fromBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema } from "@bufbuild/protobuf/wkt";
import { type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import { StatehouseError } from "../errors.js";
import { entityIdProblem } from "./entity-id.js";
import type { EntityObject } from "./entity-object.js";
import type { CommandInput, JournalPage, RpcResult, StateReply } from "./rpc-types.js";
import type { JournalEntry } from "./journal/index.js";
import { activeTrace, carrierOf } from "../trace/index.js";

/** Decoded state and meta. */
export interface EntityState {
  state: Any;
  meta: MetaData;
}

/** A decoded journal row: the event, the state it produced, and its meta. */
export interface DecodedJournalEntry extends EntityState {
  event: Any;
}

/** Calls to entities, with failures thrown as StatehouseError. */
export interface EntityClient {
  processCommand(input: CommandInput): Promise<EntityState>;
  /** processCommand with the answer left serialized, for a front door that answers in binary. */
  processCommandBytes(input: CommandInput): Promise<StateReply>;
  getState(entityId: string, revision?: number): Promise<EntityState>;
  readJournal(entityId: string, fromRevision: number, limit: number, maxBytes?: number): Promise<JournalPage>;
  /** The entity's newest committed revision (0 when it has none). */
  headRevision(entityId: string): Promise<number>;
}

/** An EntityClient over the ENTITY namespace. */
export function createEntityClient(ns: DurableObjectNamespace<EntityObject>): EntityClient {
  const stub = (entityId: string) => {
    const problem = entityIdProblem(entityId);
    if (problem !== undefined) throw new StatehouseError("invalid_argument", problem);
    return ns.get(ns.idFromName(entityId));
  };
  return {
    async processCommand(input) {
      return decodeState(unwrap(await stub(input.entityId).processCommand(traced(input))));
    },
    async processCommandBytes(input) {
      return unwrap(await stub(input.entityId).processCommand(traced(input)));
    },
    async getState(entityId, revision) {
      return decodeState(unwrap(await stub(entityId).getState({ entityId, revision })));
    },
    async readJournal(entityId, fromRevision, limit, maxBytes) {
      return unwrap(await stub(entityId).readJournal({ entityId, fromRevision, limit, maxBytes }));
    },
    async headRevision(entityId) {
      return stub(entityId).headRevision();
    },
  };
}

/** Decodes a serialized state reply. */
export function decodeState(reply: StateReply): EntityState {
  return { state: fromBinary(AnySchema, reply.state), meta: fromBinary(MetaDataSchema, reply.meta) };
}

/** Decodes a serialized journal row. */
export function decodeJournalEntry(entry: JournalEntry): DecodedJournalEntry {
  return { event: fromBinary(AnySchema, entry.event), ...decodeState(entry) };
}

/** The input with the active span as its trace, unless it names one: the Durable Object call is a hop of the caller's trace. */
function traced(input: CommandInput): CommandInput {
  const span = activeTrace();
  return input.trace !== undefined || span === undefined ? input : { ...input, trace: carrierOf(span) };
}

function unwrap<T>(result: RpcResult<T>): T {
  if (!result.ok) throw StatehouseError.fromData(result.error);
  return result.value;
}
