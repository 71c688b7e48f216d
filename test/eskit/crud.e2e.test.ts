// eskit's CrudStoreService through the front door with a connect-es client generated from eskit's protos.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { call, connectError, freshId } from "../helpers.js";
import { eventually } from "../readside/helpers.js";
import { crudstore, eventstore, freshType, logsUntil } from "./helpers.js";

const json = (v: unknown) => JSON.stringify(v);

/** The code and message a call fails with. */
async function codeOf(p: Promise<unknown>): Promise<[Code, string]> {
  const err = await connectError(() => p);
  return [err.code, err.rawMessage];
}

describe("eskit's CrudStoreService", { timeout: 60_000 }, () => {
  it.each(["connect", "connect-json", "grpc-web"] as const)("Get after Create returns the document at version 1 over %s", async (protocol) => {
    const client = crudstore(protocol);
    const id = freshId("doc");
    const created = await client.create({ entityType: "User", originator: { id }, payload: json({ name: "Ada", tags: ["a"] }) });
    expect(created.originator).toMatchObject({ id, version: "1" });
    const got = await client.get({ entityType: "User", originator: { id } });
    expect(got.originator).toMatchObject({ id, version: "1" });
    expect(JSON.parse(got.payload)).toEqual({ name: "Ada", tags: ["a"] });
  });

  it("Create without an originator makes up an id at version 1", async () => {
    const { originator } = await crudstore().create({ entityType: "User", payload: json({ n: 1 }) });
    expect(originator?.version).toBe("1");
    expect(originator?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("after Update the old version reads the old document and a versionless Get the newest", async () => {
    const client = crudstore();
    const id = freshId("doc");
    await client.create({ entityType: "User", originator: { id }, payload: json({ name: "Ada", city: "London", age: 36 }) });
    const updated = await client.update({ entityType: "User", originator: { id, version: "1" }, payload: json({ name: "Ada L.", age: 36 }) });
    expect(updated.originator).toMatchObject({ id, version: "2" });

    expect(JSON.parse((await client.get({ entityType: "User", originator: { id, version: "1" } })).payload)).toEqual({ name: "Ada", city: "London", age: 36 });
    const head = await client.get({ entityType: "User", originator: { id } });
    expect(head.originator?.version).toBe("2");
    expect(JSON.parse(head.payload)).toEqual({ name: "Ada L.", age: 36 });
  });

  it("Update stores only the RFC 7396 merge patch as <Type>.Updated", async () => {
    const kind = freshType("Doc");
    const id = freshId("doc");
    await crudstore().create({ entityType: kind, originator: { id }, payload: json({ a: 1, b: { c: 2, d: 3 }, e: "x" }) });
    await crudstore().update({ entityType: kind, originator: { id, version: "1" }, payload: json({ a: 1, b: { c: 5, d: 3 } }) });
    await crudstore().delete({ entityType: kind, originator: { id } });
    const entries = await logsUntil({ selector: `${kind}.*` }, (r) => r.length === 3);
    expect(entries.map((e) => [e.event?.eventType, e.event?.originator?.id, e.event?.originator?.version])).toEqual([
      [`${kind}.Created`, id, "1"],
      [`${kind}.Updated`, id, "2"],
      [`${kind}.Deleted`, id, "3"],
    ]);
    expect(JSON.parse(entries[1]?.event?.payload ?? "")).toEqual({ b: { c: 5 }, e: null });
  });

  it("Delete, then Get is NOT_FOUND unless deleted is set", async () => {
    const client = crudstore();
    const id = freshId("doc");
    await client.create({ entityType: "User", originator: { id }, payload: json({ name: "Gone" }) });
    expect((await client.delete({ entityType: "User", originator: { id } })).originator).toMatchObject({ id, version: "2" });
    expect((await codeOf(client.get({ entityType: "User", originator: { id } })))[0]).toBe(Code.NotFound);
    const kept = await client.get({ entityType: "User", originator: { id }, deleted: true });
    expect(JSON.parse(kept.payload)).toEqual({ name: "Gone" });
    expect((await codeOf(client.delete({ entityType: "User", originator: { id } })))[0]).toBe(Code.NotFound);
    expect((await codeOf(client.update({ entityType: "User", originator: { id, version: "2" }, payload: "{}" })))[0]).toBe(Code.NotFound);
  });

  it("answers a missing document and a version past the head with NOT_FOUND", async () => {
    const client = crudstore();
    const id = freshId("doc");
    expect((await codeOf(client.get({ entityType: "User", originator: { id } })))[0]).toBe(Code.NotFound);
    await client.create({ entityType: "User", originator: { id }, payload: "{}" });
    expect((await codeOf(client.get({ entityType: "User", originator: { id, version: "9" } })))[0]).toBe(Code.NotFound);
  });

  it("a duplicate Create and a stale Update are ALREADY_EXISTS", async () => {
    const client = crudstore();
    const id = freshId("doc");
    await client.create({ entityType: "User", originator: { id }, payload: json({ v: 1 }) });
    expect(await codeOf(client.create({ entityType: "User", originator: { id }, payload: json({ v: 2 }) }))).toEqual([Code.AlreadyExists, "duplicate"]);
    await client.update({ entityType: "User", originator: { id, version: "1" }, payload: json({ v: 2 }) });
    expect((await codeOf(client.update({ entityType: "User", originator: { id, version: "1" }, payload: json({ v: 3 }) })))[0]).toBe(Code.AlreadyExists);
    expect(JSON.parse((await client.get({ entityType: "User", originator: { id } })).payload)).toEqual({ v: 2 });
  });

  it("the same id under two types is two documents", async () => {
    const client = crudstore();
    const id = freshId("doc");
    await client.create({ entityType: "User", originator: { id }, payload: json({ kind: "user" }) });
    await client.create({ entityType: "Project", originator: { id }, payload: json({ kind: "project" }) });
    expect(JSON.parse((await client.get({ entityType: "Project", originator: { id } })).payload)).toEqual({ kind: "project" });
  });

  it("a document's entity id is reserved: ProcessCommand and eskit Append cannot write it", async () => {
    const id = freshId("doc");
    await crudstore().create({ entityType: "User", originator: { id }, payload: "{}" });
    const res = await call(`/api/v1/entities/${encodeURIComponent(`$crud/User/${id}`)}/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: json({ command: { op: "noop" } }),
    });
    expect(res.status).toBe(400);
    const append = eventstore().append({ event: { originator: { id: `$crud/User/${id}`, version: "2" }, eventType: "User.Updated", payload: "{}" } });
    expect((await codeOf(append))[0]).toBe(Code.InvalidArgument);
  });

  it("refuses bad input with INVALID_ARGUMENT", async () => {
    const client = crudstore();
    const id = freshId("doc");
    const bad = async (p: Promise<unknown>) => expect((await codeOf(p))[0]).toBe(Code.InvalidArgument);
    await bad(client.create({ entityType: "User", originator: { id }, payload: "{not json" }));
    await bad(client.create({ entityType: "User", originator: { id }, payload: "[1,2]" }));
    await bad(client.create({ entityType: "User", originator: { id }, payload: "42" }));
    await bad(client.create({ entityType: "User", originator: { id }, payload: "" }));
    await bad(client.create({ entityType: "", originator: { id }, payload: "{}" }));
    await bad(client.create({ entityType: "Us/er", originator: { id }, payload: "{}" }));
    await bad(client.create({ entityType: "User", originator: { id: " padded" }, payload: "{}" }));
    await bad(client.create({ entityType: "User", originator: { id: "a\u0001b" }, payload: "{}" }));
    await bad(client.create({ entityType: "User", originator: { id: "x".repeat(251) }, payload: "{}" }));
    await client.create({ entityType: "User", originator: { id }, payload: "{}" });
    await bad(client.update({ entityType: "User", originator: { id, version: "one" }, payload: "{}" }));
    await bad(client.update({ entityType: "User", originator: { id, version: "-1" }, payload: "{}" }));
    await bad(client.update({ entityType: "User", originator: { id }, payload: "{}" }));
    await bad(client.get({ entityType: "User", originator: { id, version: "1.5" } }));
    await bad(client.get({ entityType: "User" }));
  });

  it("refuses a 2 MB document as too large", async () => {
    const big = json({ blob: "x".repeat(2 * 1024 * 1024) });
    const [code] = await codeOf(crudstore().create({ entityType: "User", originator: { id: freshId("big") }, payload: big }));
    expect(code).toBe(Code.ResourceExhausted);
  });

  it("List pages through the live documents of a type in id order, leaving out deleted ones", async () => {
    const client = crudstore();
    const kind = freshType("Page");
    const ids = ["a", "b", "c", "d", "e"].map((s) => `${s}-${freshId()}`);
    for (const [i, id] of ids.entries()) await client.create({ entityType: kind, originator: { id }, payload: json({ i }) });
    await client.delete({ entityType: kind, originator: { id: ids[2] } });
    await client.update({ entityType: kind, originator: { id: ids[0], version: "1" }, payload: json({ i: 0, edited: true }) });

    // The index is kept by the log's read side, after the commands answered: wait until it has all of them.
    const all = await eventually(async () => {
      const r = await client.list({ entityType: kind, limit: 100 });
      const tail = await client.list({ entityType: kind, limit: 2, paginationId: ids[1] });
      // The full list too: the tail, read after it, may already hold a document the list was read too early for.
      if (r.results[0]?.originator?.version !== "2" || r.results.length !== 4 || tail.results.length !== 2) throw new Error("the index has not caught up yet");
      return r;
    });
    expect(all.nextPageId).toBe("");
    expect(all.results.map((r) => r.originator?.id)).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect(JSON.parse(all.results[0]?.payload ?? "")).toEqual({ i: 0, edited: true });

    const first = await client.list({ entityType: kind, limit: 2 });
    expect(first.results.map((r) => r.originator?.id)).toEqual([ids[0], ids[1]]);
    expect(first.nextPageId).toBe(ids[1]);
    const second = await client.list({ entityType: kind, limit: 2, paginationId: first.nextPageId, skipPayload: true });
    expect(second.results.map((r) => [r.originator?.id, r.payload, r.entityType])).toEqual([[ids[3], "", kind], [ids[4], "", kind]]);
    expect(second.nextPageId).toBe("");
    const three = await client.list({ entityType: kind, limit: 3 });
    expect(three.results.map((r) => r.originator?.id)).toEqual([ids[0], ids[1], ids[3]]);
    expect(three.nextPageId).toBe(ids[3]);
  });
});

describe("eskit's CRUD type registry", { timeout: 60_000 }, () => {
  const schema = (required: string[]) =>
    json({ type: "object", properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } }, required });

  it("validates Create and Update against the registered schema, listing each violation", async () => {
    const client = crudstore();
    const kind = freshType("Person");
    await client.registerType({ spec: { entityType: kind, schemaSpec: { schemaVersion: 1n, jsonSchema: schema(["name"]) } } });
    const id = freshId("p");
    const [code, message] = await codeOf(client.create({ entityType: kind, originator: { id }, payload: json({ age: -1 }) }));
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toContain("name");
    expect(message).toContain("/age");
    await client.create({ entityType: kind, originator: { id }, payload: json({ name: "Ada", age: 3 }) });
    expect((await codeOf(client.update({ entityType: kind, originator: { id, version: "1" }, payload: json({ name: 7 }) })))[0]).toBe(Code.InvalidArgument);
    expect((await client.get({ entityType: kind, originator: { id } })).originator?.version).toBe("1");
  });

  it("registers, gets, updates and lists types with eskit's errors", async () => {
    const client = crudstore();
    const kind = freshType("Typed");
    const spec = { entityType: kind, schemaSpec: { schemaVersion: 1n, jsonSchema: schema([]) } };
    await client.registerType({ spec });
    expect(await codeOf(client.registerType({ spec }))).toEqual([Code.AlreadyExists, "already registered"]);
    await client.registerType({ spec, skipDuplicate: true });
    expect((await client.getType({ entityType: kind })).spec).toMatchObject(spec);

    expect(await codeOf(client.updateType({ spec }))).toEqual([Code.InvalidArgument, "schema version not changed"]);
    const v2 = { entityType: kind, schemaSpec: { schemaVersion: 2n, jsonSchema: schema(["name"]) } };
    await client.updateType({ spec: v2 });
    expect((await client.getType({ entityType: kind })).spec?.schemaSpec?.schemaVersion).toBe(2n);
    expect((await client.listTypes({ limit: 1000 })).results.map((t) => t.entityType)).toContain(kind);

    const missing = freshType("Missing");
    expect((await codeOf(client.getType({ entityType: missing })))[0]).toBe(Code.NotFound);
    expect((await codeOf(client.updateType({ spec: { ...v2, entityType: missing } })))[0]).toBe(Code.NotFound);
    expect((await codeOf(client.registerType({ spec: { entityType: freshType("NoVersion"), schemaSpec: { jsonSchema: schema([]) } } })))[0]).toBe(Code.InvalidArgument);
    expect((await codeOf(client.registerType({ spec: { entityType: freshType("BadSchema"), schemaSpec: { schemaVersion: 1n, jsonSchema: "{oops" } } })))[0]).toBe(Code.InvalidArgument);
    expect((await codeOf(client.registerType({})))[0]).toBe(Code.InvalidArgument);
  });
});

/** A JSON object `depth` levels deep (each level one object), with a string at the bottom. */
function nested(depth: number, leaf = "bottom"): Record<string, unknown> {
  let doc: Record<string, unknown> = { leaf };
  for (let i = 1; i < depth; i++) doc = { level: i, inner: doc };
  return doc;
}

describe("how deep a document may nest", { timeout: 60_000 }, () => {
  // protobuf-es reads at most 100 nested messages; a document is a Struct inside its state's Struct.
  const DEEPEST = 49;

  it("the deepest accepted document round-trips through every read, and one level deeper is refused", async () => {
    const client = crudstore();
    const kind = freshType("Deep");
    const id = freshId("deep");
    const doc = nested(DEEPEST);
    expect((await client.create({ entityType: kind, originator: { id }, payload: json(doc) })).originator?.version).toBe("1");
    expect(JSON.parse((await client.get({ entityType: kind, originator: { id } })).payload)).toEqual(doc);

    const http = await call(`/api/v1/docs/${kind}/${id}`);
    expect(http.status).toBe(200);
    expect(((await http.json()) as any).document).toEqual(doc);
    const listed = await eventually(async () => {
      const r = await client.list({ entityType: kind });
      if (r.results.length !== 1) throw new Error("the index has not caught up yet");
      return r;
    });
    expect(JSON.parse(listed.results[0]?.payload ?? "")).toEqual(doc);
    const page = await call(`/api/v1/docs/${kind}`);
    expect(page.status).toBe(200);
    expect((await call(`/api/v1/docs/${kind}/${id}/history`)).status).toBe(200);

    const changed = nested(DEEPEST, "changed");
    expect((await client.update({ entityType: kind, originator: { id, version: "1" }, payload: json(changed) })).originator?.version).toBe("2");
    expect(JSON.parse((await client.get({ entityType: kind, originator: { id } })).payload)).toEqual(changed);
    expect(JSON.parse((await client.get({ entityType: kind, originator: { id, version: "1" } })).payload)).toEqual(doc);
    expect((await client.delete({ entityType: kind, originator: { id } })).originator?.version).toBe("3");
    expect(JSON.parse((await client.get({ entityType: kind, originator: { id }, deleted: true })).payload)).toEqual(changed);
  });

  it("refuses a document one level deeper than the limit with INVALID_ARGUMENT naming it, and stores nothing", async () => {
    const client = crudstore();
    const kind = freshType("Deep");
    const id = freshId("deep");
    const [code, message] = await codeOf(client.create({ entityType: kind, originator: { id }, payload: json(nested(DEEPEST + 1)) }));
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toContain(String(DEEPEST));
    expect((await codeOf(client.get({ entityType: kind, originator: { id } })))[0]).toBe(Code.NotFound);

    await client.create({ entityType: kind, originator: { id }, payload: json({ flat: true }) });
    const [updateCode] = await codeOf(client.update({ entityType: kind, originator: { id, version: "1" }, payload: json(nested(DEEPEST + 1)) }));
    expect(updateCode).toBe(Code.InvalidArgument);
    const patch = await call(`/api/v1/docs/${kind}/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/merge-patch+json" },
      body: json({ deep: nested(DEEPEST) }),
    });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as any).code).toBe("invalid_argument");
    // The type stays listable: nothing unreadable was stored.
    const listed = await eventually(async () => {
      const r = await client.list({ entityType: kind });
      if (r.results.length !== 1) throw new Error("the index has not caught up yet");
      return r;
    });
    expect(JSON.parse(listed.results[0]?.payload ?? "")).toEqual({ flat: true });
  });
});
