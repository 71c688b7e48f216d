// The built-in eskit-crud write handler: a JSON document whose events are eskit's Created, Updated (a merge patch) and Deleted.
import { type JsonObject, create, fromBinary, fromJson, toJson } from "@bufbuild/protobuf";
import { type Any, StructSchema, anyIs, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import mergePatch from "json-merge-patch";
import { StatehouseError } from "../errors.js";
import { HandleCommandResponseSchema, HandleEventResponseSchema } from "../gen/chief_of_state/v1/writeside_pb.js";
import { CreateRequestSchema, DeleteRequestSchema, UpdateRequestSchema } from "../gen/contracts/crudstore/service_pb.js";
import { EventSchema } from "../gen/contracts/eventstore/event_pb.js";
import { parseCrudEntityId } from "./store/index.js";
import type { WriteHandler } from "../handlers/index.js";

/** A document entity's state: the document as of its version, its type, and whether it is deleted. */
export interface CrudDocState {
  entityType: string;
  deleted: boolean;
  document: JsonObject;
}

/** The state as stored: google.protobuf.Struct {"entity_type", "deleted", "document"}, readable by any read side. */
export function packDocState(s: CrudDocState): Any {
  return anyPack(StructSchema, fromJson(StructSchema, { entity_type: s.entityType, deleted: s.deleted, document: s.document }));
}

/** The document state in `state`, or undefined when the entity has none yet (Empty). */
export function unpackDocState(state: Any | undefined): CrudDocState | undefined {
  const struct = state === undefined ? undefined : anyUnpack(state, StructSchema);
  if (struct === undefined) return undefined;
  const json = toJson(StructSchema, struct) as JsonObject;
  return { entityType: String(json.entity_type), deleted: json.deleted === true, document: (json.document ?? {}) as JsonObject };
}

/** Parses a payload that the front door already checked to be a JSON object. */
function documentOf(payload: string): JsonObject {
  return JSON.parse(payload) as JsonObject;
}

function eskitEvent(docId: string, version: number, eventType: string, payload: string): Any {
  const event = create(EventSchema, {
    originator: { id: docId, version: String(version) },
    eventType,
    payload,
    occuredOn: BigInt(Math.floor(Date.now() / 1000)),
  });
  return anyPack(EventSchema, event);
}

/**
 * The command is eskit's own request (contracts.crudstore CreateRequest, UpdateRequest or
 * DeleteRequest), the events contracts.eventstore.Event so the log files them under their
 * event_type. Versions are the entity's revisions, and they are checked here, inside the entity's
 * command queue: a duplicate Create or a stale Update is already_exists, as in eskit.
 */
export const crudHandler: WriteHandler = {
  async handleCommand(req) {
    const entityId = req.priorEventMeta?.entityId ?? "";
    const key = parseCrudEntityId(entityId);
    if (key === undefined) throw new StatehouseError("invalid_argument", `${entityId} is not a CRUD document's entity id`);
    const current = req.priorEventMeta?.revisionNumber ?? 0;
    const prior = unpackDocState(req.priorState);
    const command = req.command;
    const events = (e: Any) => create(HandleCommandResponseSchema, { events: [e] });
    if (command !== undefined && anyIs(command, CreateRequestSchema)) {
      const request = fromBinary(CreateRequestSchema, command.value);
      // A deleted document may be created again (a PUT does) by naming the version after its Deleted;
      // eskit's Create names "1", so on a document that exists or existed it stays a duplicate.
      const again = prior?.deleted === true && Number(request.originator?.version) === current + 1;
      if (current > 0 && !again) throw new StatehouseError("already_exists", "duplicate");
      const doc = documentOf(request.payload);
      return events(eskitEvent(key.docId, current + 1, `${key.entityType}.Created`, JSON.stringify(doc)));
    }
    const live = (): CrudDocState => {
      if (prior === undefined) throw new StatehouseError("not_found", `not found: ${key.entityType} ${key.docId}`);
      if (prior.deleted) throw new StatehouseError("not_found", `not found: ${key.entityType} ${key.docId} is deleted`);
      return prior;
    };
    if (command !== undefined && anyIs(command, UpdateRequestSchema)) {
      const update = fromBinary(UpdateRequestSchema, command.value);
      const doc = live();
      const readAt = Number(update.originator?.version);
      if (readAt !== current) {
        throw new StatehouseError("already_exists", `update failed old version: ${key.docId} was read at version ${readAt} and is at version ${current}`);
      }
      const patch = mergePatch.generate(doc.document, documentOf(update.payload)) ?? {};
      return events(eskitEvent(key.docId, current + 1, `${key.entityType}.Updated`, JSON.stringify(patch)));
    }
    if (command !== undefined && anyIs(command, DeleteRequestSchema)) {
      live();
      return events(eskitEvent(key.docId, current + 1, `${key.entityType}.Deleted`, "{}"));
    }
    throw new StatehouseError("invalid_argument", "a CRUD command is a contracts.crudstore CreateRequest, UpdateRequest or DeleteRequest");
  },
  async handleEvent(req) {
    const key = parseCrudEntityId(req.eventMeta?.entityId ?? "");
    if (req.event === undefined || !anyIs(req.event, EventSchema) || key === undefined) {
      throw new StatehouseError("internal", "a CRUD document's event is a contracts.eventstore.Event");
    }
    const event = fromBinary(EventSchema, req.event.value);
    const prior = unpackDocState(req.priorState) ?? { entityType: key.entityType, deleted: false, document: {} };
    const action = event.eventType.slice(event.eventType.lastIndexOf(".") + 1);
    const payload = JSON.parse(event.payload) as JsonObject;
    const next: CrudDocState =
      action === "Created"
        ? { entityType: key.entityType, deleted: false, document: payload }
        : action === "Updated"
          ? { ...prior, document: mergePatch.apply(structuredClone(prior.document), payload) as JsonObject }
          : { ...prior, deleted: true };
    return create(HandleEventResponseSchema, { resultingState: packDocState(next) });
  },
};
