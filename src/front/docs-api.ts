// The documents JSON API: eskit's CRUD store as plain HTTP, versions in ETags.
import { Hono } from "hono";
import type { Context } from "hono";
import { StatehouseError } from "../errors.js";
import { type CrudDocuments, type IfMatch, createRequestCrudStore, parseDecimal } from "../eskit/index.js";
import { parseUint32 } from "../input/index.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";

const MERGE_PATCH = "application/merge-patch+json";

/** The version an If-Match header names ("3", W/"3"), "*" for any current version; undefined without one. */
function ifMatchOf(c: Context<FrontEnv>): IfMatch | undefined {
  const header = c.req.header("if-match");
  if (header === undefined) return undefined;
  if (header.trim() === "*") return "*";
  const tag = header.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
  const version = parseDecimal(tag, "If-Match");
  if (version === undefined || version < 1) throw new StatehouseError("invalid_argument", 'If-Match must name a version, such as "3", or be *');
  return version;
}

const etag = (version: string) => `"${version}"`;

function docsOf(c: Context<FrontEnv>): CrudDocuments {
  const s = c.var.services;
  const values = { entities: c.var.entities, config: s.config, docIndex: s.docIndex, typeStore: s.typeStore };
  return createRequestCrudStore(values, c.req.raw.headers).docs;
}

/**
 * PUT (create or replace; If-Match on the version), PATCH (application/merge-patch+json), DELETE
 * and GET (?version=N, ?deleted=true) of /api/v1/docs/{type}/{id}; GET /api/v1/docs/{type}
 * (?after=&limit=) lists live documents by id; GET …/{id}/history returns every event. Answers
 * carry the version as the ETag.
 */
export function docsApi(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.get("/api/v1/docs/:type/:id{[\\s\\S]+}/history", async (c) => {
    const events = await docsOf(c).history(c.req.param("type"), c.req.param("id"));
    return c.json({
      id: c.req.param("id"),
      events: events.map((e) => ({ version: e.version, event_type: e.eventType, payload: e.payload, occured_on: e.occuredOn })),
    });
  });
  app.get("/api/v1/docs/:type/:id{[\\s\\S]+}", async (c) => {
    const version = parseDecimal(c.req.query("version") ?? "", "version");
    const doc = await docsOf(c).get(c.req.param("type"), { id: c.req.param("id"), version: version === undefined ? "" : String(version) }, c.req.query("deleted") === "true");
    c.header("etag", etag(doc.originator.version));
    return c.json({ id: doc.originator.id, version: Number(doc.originator.version), deleted: doc.deleted, document: doc.document });
  });
  app.get("/api/v1/docs/:type", async (c) => {
    const page = await docsOf(c).list(c.req.param("type"), c.req.query("after") ?? "", parseUint32(c.req.query("limit"), "limit") ?? 0);
    return c.json({
      documents: page.items.map((d) => ({ id: d.originator.id, version: Number(d.originator.version), document: d.document })),
      next_after: page.nextPageId === "" ? null : page.nextPageId,
    });
  });
  app.put("/api/v1/docs/:type/:id{[\\s\\S]+}", async (c) => {
    const document = await readJsonObject(c.req.raw);
    const done = await docsOf(c).put(c.req.param("type"), c.req.param("id"), document as never, ifMatchOf(c));
    c.header("etag", etag(done.version));
    return c.json({ id: done.id, version: Number(done.version), document }, done.created ? 201 : 200);
  });
  app.patch("/api/v1/docs/:type/:id{[\\s\\S]+}", async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (type !== MERGE_PATCH && type !== "application/json") {
      return c.json({ code: "invalid_argument", message: `PATCH takes ${MERGE_PATCH} (RFC 7396)` }, 415);
    }
    const patch = await readJsonObject(c.req.raw);
    const done = await docsOf(c).patch(c.req.param("type"), c.req.param("id"), patch as never, ifMatchOf(c));
    c.header("etag", etag(done.version));
    return c.json({ id: done.id, version: Number(done.version), document: done.document });
  });
  app.delete("/api/v1/docs/:type/:id{[\\s\\S]+}", async (c) => {
    const done = await docsOf(c).delete(c.req.param("type"), { id: c.req.param("id"), version: "" }, ifMatchOf(c));
    c.header("etag", etag(done.version));
    return c.json({ id: done.id, version: Number(done.version), deleted: true });
  });
  return app;
}
