// The friendly JSON API: plain JSON objects as commands, events and state, for teams without protobuf.
import { Hono } from "hono";
import { toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { loadConfig } from "../config/index.js";
import { type EntityState, decodeJournalEntry } from "../entity/index.js";
import { StatehouseError } from "../errors.js";
import { anyFromFriendlyJson, anyToFriendlyJson, metaToCosJson, typeRegistry } from "../payload/index.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";
import { IDEMPOTENCY_KEY_HEADER, journalLimit, parseIdempotencyKey, parseUint32, pickHeaders } from "../rpc/index.js";

/** POST /api/v1/entities/{id}/commands, GET /api/v1/entities/{id}, GET /api/v1/entities/{id}/events. */
export function jsonApi(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.post("/api/v1/entities/:id{.+}/commands", async (c) => {
    const body = await readJsonObject(c.req.raw);
    if (body.command === undefined) throw new StatehouseError("invalid_argument", "missing command");
    const command = anyFromFriendlyJson(body.command, typeRegistry(), "command");
    const config = loadConfig(c.env);
    const reply = await c.var.entities.processCommand({
      entityId: c.req.param("id"),
      command: toBinary(AnySchema, command),
      ...pickHeaders(c.req.raw.headers, config),
      expectedRevision: parseUint32(body.expected_revision, "expected_revision"),
      idempotencyKey: parseIdempotencyKey(
        body.idempotency_key ?? c.req.header(IDEMPOTENCY_KEY_HEADER),
        "idempotency_key",
      ),
    });
    return c.json(friendlyState(reply));
  });
  app.get("/api/v1/entities/:id{.+}/events", async (c) => {
    const from = parseUint32(c.req.query("from"), "from") ?? 1;
    const limit = journalLimit(parseUint32(c.req.query("limit"), "limit"));
    const page = await c.var.entities.readJournal(c.req.param("id"), from, limit);
    const registry = typeRegistry();
    return c.json({
      events: page.events.map((e) => {
        const { event, state, meta } = decodeJournalEntry(e);
        return {
          revision: e.revision,
          event: anyToFriendlyJson(event, registry),
          state: anyToFriendlyJson(state, registry),
          meta: metaToCosJson(meta),
        };
      }),
      next_from_revision: page.nextFromRevision,
      head_revision: page.headRevision,
      first_retained_revision: page.firstRetainedRevision,
    });
  });
  app.get("/api/v1/entities/:id{.+}", async (c) => {
    const revision = parseUint32(c.req.query("revision"), "revision");
    return c.json(friendlyState(await c.var.entities.getState(c.req.param("id"), revision)));
  });
  return app;
}

/** {"state": friendly JSON, "meta": snake_case MetaData}. */
function friendlyState(s: EntityState) {
  return { state: anyToFriendlyJson(s.state, typeRegistry()), meta: metaToCosJson(s.meta) };
}
