// The documents JSON API (/api/v1/docs): PUT, PATCH, DELETE, GET at a version, list and history, versions in ETags.
import { describe, expect, it } from "vitest";
import { call, freshId } from "../helpers.js";
import { eventually } from "../readside/helpers.js";
import { freshType } from "./helpers.js";

function docPath(type: string, id: string, query = ""): string {
  return `/api/v1/docs/${type}/${encodeURIComponent(id)}${query}`;
}

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await call(path, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
  return { status: res.status, etag: res.headers.get("etag"), body: (await res.json()) as any };
}

describe("the documents JSON API", { timeout: 60_000 }, () => {
  it("PUT creates (201) then replaces (200), and GET reads any version with its ETag", async () => {
    const id = freshId("doc");
    const created = await send("PUT", docPath("Note", id), { title: "draft", tags: ["a"] });
    expect(created).toMatchObject({ status: 201, etag: '"1"', body: { id, version: 1 } });
    const replaced = await send("PUT", docPath("Note", id), { title: "final" });
    expect(replaced).toMatchObject({ status: 200, etag: '"2"', body: { version: 2 } });

    expect(await send("GET", docPath("Note", id))).toMatchObject({ status: 200, etag: '"2"', body: { version: 2, document: { title: "final" } } });
    expect(await send("GET", docPath("Note", id, "?version=1"))).toMatchObject({ etag: '"1"', body: { document: { title: "draft", tags: ["a"] } } });
    expect((await send("GET", docPath("Note", id, "?version=3"))).status).toBe(404);
    expect((await send("GET", docPath("Note", id, "?version=two"))).status).toBe(400);
  });

  it("PUT with If-Match replaces only that version: a stale one is 412 and changes nothing", async () => {
    const id = freshId("doc");
    await send("PUT", docPath("Note", id), { n: 1 });
    expect((await send("PUT", docPath("Note", id), { n: 2 }, { "if-match": '"1"' })).status).toBe(200);
    expect((await send("PUT", docPath("Note", id), { n: 3 }, { "if-match": '"1"' })).status).toBe(412);
    expect((await send("PUT", docPath("Note", id), { n: 3 }, { "if-match": "soon" })).status).toBe(400);
    expect((await send("GET", docPath("Note", id))).body.document).toEqual({ n: 2 });
    expect((await send("PUT", docPath("Note", freshId("missing")), { n: 1 }, { "if-match": '"1"' })).status).toBe(404);
  });

  it("PATCH applies an RFC 7396 merge patch and the history holds the patches", async () => {
    const id = freshId("doc");
    await send("PUT", docPath("Note", id), { title: "t", meta: { a: 1, b: 2 }, drop: true });
    const patched = await send("PATCH", docPath("Note", id), { meta: { b: null, c: 3 }, drop: null }, { "content-type": "application/merge-patch+json" });
    expect(patched).toMatchObject({ status: 200, etag: '"2"', body: { document: { title: "t", meta: { a: 1, c: 3 } } } });
    expect((await send("PATCH", docPath("Note", id), { x: 1 }, { "content-type": "text/plain" })).status).toBe(415);
    expect((await send("PATCH", docPath("Note", id), { x: 1 }, { "content-type": "application/merge-patch+json", "if-match": '"1"' })).status).toBe(412);

    const history = await send("GET", docPath("Note", id, "/history"));
    expect(history.body.events.map((e: any) => [e.version, e.event_type, e.payload])).toEqual([
      [1, "Note.Created", { title: "t", meta: { a: 1, b: 2 }, drop: true }],
      [2, "Note.Updated", { meta: { b: null, c: 3 }, drop: null }],
    ]);
  });

  it("DELETE hides the document (404) but ?deleted=true and old versions still read it", async () => {
    const id = freshId("doc");
    await send("PUT", docPath("Note", id), { n: 1 });
    expect((await send("DELETE", docPath("Note", id), undefined, { "if-match": '"7"' })).status).toBe(412);
    expect(await send("DELETE", docPath("Note", id))).toMatchObject({ status: 200, etag: '"2"', body: { deleted: true } });
    expect((await send("GET", docPath("Note", id))).status).toBe(404);
    expect((await send("GET", docPath("Note", id, "?deleted=true"))).body).toMatchObject({ deleted: true, document: { n: 1 } });
    expect((await send("DELETE", docPath("Note", id))).status).toBe(404);
    const other = freshId("doc");
    await send("PUT", docPath("Note", other), { n: 1 });
    expect((await send("DELETE", docPath("Note", other), undefined, { "if-match": '"1"' })).status).toBe(200);
  });

  it("parallel PATCHes without If-Match all apply: merge patches compose", async () => {
    const id = freshId("doc");
    await send("PUT", docPath("Note", id), { base: true });
    const fields = Array.from({ length: 10 }, (_, i) => `f${i}`);
    const answers = await Promise.all(
      fields.map((f) => send("PATCH", docPath("Note", id), { [f]: f }, { "content-type": "application/merge-patch+json" })),
    );
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(fields.map(() => [200, undefined]));
    expect(answers.map((a) => a.body.version).sort((a, b) => a - b)).toEqual(fields.map((_, i) => i + 2));
    const final = await send("GET", docPath("Note", id));
    expect(final).toMatchObject({ etag: '"11"', body: { version: 11 } });
    expect(final.body.document).toEqual({ base: true, ...Object.fromEntries(fields.map((f) => [f, f])) });
  });

  it("parallel PUTs without If-Match all apply, each replacing the head", async () => {
    const id = freshId("doc");
    await send("PUT", docPath("Note", id), { n: 0 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => send("PUT", docPath("Note", id), { n: i + 1 })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const final = await send("GET", docPath("Note", id));
    expect(final.body.version).toBe(11);
    const last = answers.find((a) => a.body.version === 11);
    expect(final.body.document).toEqual(last?.body.document);
  });

  it("PUT on a deleted document creates it again at the next version", async () => {
    const id = freshId("doc");
    await send("PUT", docPath("Note", id), { n: 1 });
    await send("DELETE", docPath("Note", id));
    expect(await send("PUT", docPath("Note", id), { n: 2 })).toMatchObject({ status: 201, etag: '"3"', body: { id, version: 3, document: { n: 2 } } });
    expect(await send("GET", docPath("Note", id))).toMatchObject({ status: 200, body: { version: 3, deleted: false, document: { n: 2 } } });
    expect((await send("GET", docPath("Note", id, "?version=2&deleted=true"))).body).toMatchObject({ deleted: true, document: { n: 1 } });
    const history = await send("GET", docPath("Note", id, "/history"));
    expect(history.body.events.map((e: any) => [e.version, e.event_type])).toEqual([
      [1, "Note.Created"],
      [2, "Note.Deleted"],
      [3, "Note.Created"],
    ]);
  });

  it('If-Match: * applies to any current version and is 412 when the document does not exist', async () => {
    const id = freshId("doc");
    const star = { "if-match": "*" };
    expect((await send("PUT", docPath("Note", id), { n: 1 }, star)).status).toBe(412);
    expect((await send("PATCH", docPath("Note", id), { n: 1 }, { ...star, "content-type": "application/merge-patch+json" })).status).toBe(412);
    expect((await send("DELETE", docPath("Note", id), undefined, star)).status).toBe(412);
    await send("PUT", docPath("Note", id), { n: 1 });
    expect(await send("PUT", docPath("Note", id), { n: 2 }, star)).toMatchObject({ status: 200, body: { version: 2 } });
    expect(await send("PATCH", docPath("Note", id), { m: 3 }, { ...star, "content-type": "application/merge-patch+json" })).toMatchObject({
      status: 200,
      body: { version: 3, document: { n: 2, m: 3 } },
    });
    expect(await send("DELETE", docPath("Note", id), undefined, star)).toMatchObject({ status: 200, body: { version: 4 } });
    const gone = await send("PUT", docPath("Note", id), { n: 5 }, star);
    expect(gone).toMatchObject({ status: 412, body: { code: "failed_precondition" } });
    expect((await send("GET", docPath("Note", id))).status).toBe(404);
  });

  it("refuses malformed JSON, non-objects, bad ids and a 2 MB body", async () => {
    expect((await send("PUT", docPath("Note", freshId("d")), "{nope")).status).toBe(400);
    expect((await send("PUT", docPath("Note", freshId("d")), "[1]")).status).toBe(400);
    expect((await send("PUT", docPath("Note", " padded"), {})).status).toBe(400);
    expect((await send("PUT", docPath("Note", "x".repeat(300)), {})).status).toBe(400);
    expect((await send("PUT", docPath("No*te", freshId("d")), {})).status).toBe(400);
    expect((await send("PUT", docPath("Note", freshId("big")), { blob: "x".repeat(2 * 1024 * 1024) })).status).toBe(413);
  });

  it("lists live documents of a type by id, page by page with after", async () => {
    const type = freshType("Listed");
    const ids = ["a", "b", "c"].map((p) => `${p}-${freshId()}`);
    for (const id of ids) await send("PUT", docPath(type, id), { id });
    await send("DELETE", docPath(type, ids[1] as string));
    await eventually(async () => {
      const tail = await send("GET", `/api/v1/docs/${type}?limit=1&after=${encodeURIComponent(ids[0] as string)}`);
      if (tail.body.documents[0]?.id !== ids[2]) throw new Error("the index has not caught up yet");
    });
    const first = await send("GET", `/api/v1/docs/${type}?limit=1`);
    expect(first.body).toMatchObject({ documents: [{ id: ids[0], version: 1, document: { id: ids[0] } }], next_after: ids[0] });
    const rest = await send("GET", `/api/v1/docs/${type}?limit=1&after=${encodeURIComponent(first.body.next_after)}`);
    expect(rest.body).toMatchObject({ documents: [{ id: ids[2] }], next_after: null });
  });
});
