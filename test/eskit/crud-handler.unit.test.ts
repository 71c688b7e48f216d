// The built-in eskit-crud handler's fold: commands to eskit events, events to the document state.
import { type JsonObject, create, fromBinary } from "@bufbuild/protobuf";
import { type Any, EmptySchema, anyPack } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { crudHandler, packDocState, unpackDocState } from "../../src/eskit/crud-handler.js";
import { HandleCommandRequestSchema, HandleEventRequestSchema } from "../../src/gen/chief_of_state/v1/writeside_pb.js";
import { CreateRequestSchema, DeleteRequestSchema, UpdateRequestSchema } from "../../src/gen/contracts/crudstore/service_pb.js";
import { EventSchema } from "../../src/gen/contracts/eventstore/event_pb.js";
import { crudEntityId, parseCrudEntityId } from "../../src/eskit/store/index.js";
import { StatehouseError } from "../../src/errors.js";

const ENTITY = crudEntityId({ entityType: "User", docId: "u1" });
const EMPTY = anyPack(EmptySchema, create(EmptySchema));

/** Runs one command against a document at `revision` and folds its event: the event and the new state. */
async function run(command: Any, prior: { revision: number; doc?: JsonObject; deleted?: boolean }) {
  const priorState = prior.doc === undefined ? EMPTY : packDocState({ entityType: "User", deleted: prior.deleted ?? false, document: prior.doc });
  const priorEventMeta = { entityId: ENTITY, revisionNumber: prior.revision };
  const res = await crudHandler.handleCommand(create(HandleCommandRequestSchema, { command, priorState, priorEventMeta }), new Headers());
  const eventAny = res.events[0] as Any;
  const folded = await crudHandler.handleEvent(
    create(HandleEventRequestSchema, { event: eventAny, priorState, eventMeta: { entityId: ENTITY, revisionNumber: prior.revision + 1 } }),
    new Headers(),
  );
  return { event: fromBinary(EventSchema, eventAny.value), state: unpackDocState(folded.resultingState) };
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as StatehouseError).code;
  }
  return "succeeded";
}

const createCmd = (doc: JsonObject) => anyPack(CreateRequestSchema, create(CreateRequestSchema, { entityType: "User", originator: { id: "u1" }, payload: JSON.stringify(doc) }));
const updateCmd = (doc: JsonObject, version: number) =>
  anyPack(UpdateRequestSchema, create(UpdateRequestSchema, { entityType: "User", originator: { id: "u1", version: String(version) }, payload: JSON.stringify(doc) }));
const deleteCmd = anyPack(DeleteRequestSchema, create(DeleteRequestSchema, { entityType: "User", originator: { id: "u1" } }));

describe("the eskit-crud handler", () => {
  it("Given a new entity, When Create, Then User.Created holds the whole document at version 1", async () => {
    const { event, state } = await run(createCmd({ name: "Ada" }), { revision: 0 });
    expect([event.eventType, event.originator?.id, event.originator?.version, JSON.parse(event.payload)]).toEqual(["User.Created", "u1", "1", { name: "Ada" }]);
    expect(state).toEqual({ entityType: "User", deleted: false, document: { name: "Ada" } });
  });

  it("Given a document, When Update with a new one, Then only the merge patch is stored and folding it gives the new document", async () => {
    const before = { name: "Ada", address: { city: "London", zip: "N1" }, tags: ["a", "b"], gone: 1 };
    const after = { name: "Ada", address: { city: "Paris", zip: "N1" }, tags: ["a"], added: { x: true } };
    const { event, state } = await run(updateCmd(after, 4), { revision: 4, doc: before });
    expect([event.eventType, event.originator?.version]).toEqual(["User.Updated", "5"]);
    expect(JSON.parse(event.payload)).toEqual({ address: { city: "Paris" }, tags: ["a"], gone: null, added: { x: true } });
    expect(state?.document).toEqual(after);
  });

  it("Given a document, When Update with the same document, Then the patch is empty and the document unchanged", async () => {
    const { event, state } = await run(updateCmd({ a: 1 }, 1), { revision: 1, doc: { a: 1 } });
    expect(JSON.parse(event.payload)).toEqual({});
    expect(state?.document).toEqual({ a: 1 });
  });

  it("Given a document, When Delete, Then User.Deleted marks it deleted and keeps the last document", async () => {
    const { event, state } = await run(deleteCmd, { revision: 2, doc: { a: 1 } });
    expect([event.eventType, event.originator?.version, event.payload]).toEqual(["User.Deleted", "3", "{}"]);
    expect(state).toEqual({ entityType: "User", deleted: true, document: { a: 1 } });
  });

  it("refuses a duplicate Create, a stale Update, and any change to a missing or deleted document", async () => {
    expect(await failure(run(createCmd({}), { revision: 1, doc: {} }))).toBe("already_exists");
    expect(await failure(run(updateCmd({}, 1), { revision: 2, doc: {} }))).toBe("already_exists");
    expect(await failure(run(updateCmd({}, 0), { revision: 0 }))).toBe("not_found");
    expect(await failure(run(deleteCmd, { revision: 0 }))).toBe("not_found");
    expect(await failure(run(deleteCmd, { revision: 2, doc: {}, deleted: true }))).toBe("not_found");
    expect(await failure(run(updateCmd({}, 2), { revision: 2, doc: {}, deleted: true }))).toBe("not_found");
  });
});

describe("document entity ids", () => {
  it("split back into exactly the type and id they were made of, slashes in the id included", () => {
    expect(parseCrudEntityId(crudEntityId({ entityType: "com.acme.User", docId: "a/b/c" }))).toEqual({ entityType: "com.acme.User", docId: "a/b/c" });
    // "A" + "b/c" and "A/b" + "c" would meet at "$crud/A/b/c": a type with a "/" is refused.
    expect(crudEntityId({ entityType: "A", docId: "b/c" })).toBe("$crud/A/b/c");
    expect(() => crudEntityId({ entityType: "A/b", docId: "c" })).toThrow(StatehouseError);
    expect(parseCrudEntityId("User/u1")).toBeUndefined();
  });
});
