// The friendly JSON API: plain JSON objects as commands, events and state, for teams without protobuf.
import { Hono } from "hono";
import { loadConfig } from "../config/index.js";
import { type EntityState, decodeJournalEntry } from "../entity/index.js";
import { anyToFriendlyJson, metaToCosJson, typeRegistry } from "../payload/index.js";
import { StatehouseError } from "../errors.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";
import { IDEMPOTENCY_KEY_HEADER, buildCommandInput, journalLimit, parseUint32, readCommand } from "../input/index.js";

/** POST /api/v1/entities/{id}/commands, GET /api/v1/entities/{id}, GET /api/v1/entities/{id}/events. */
export function jsonApi(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.post("/api/v1/entities/:id{[\\s\\S]+}/commands", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const command = readCommand({ form: "friendly-json", value: body.command });
    // The body's idempotency_key wins; the header is the fallback for clients that set it everywhere.
    const options = {
      in: "fields",
      expectedRevision: body.expected_revision,
      idempotencyKey: body.idempotency_key ?? c.req.header(IDEMPOTENCY_KEY_HEADER),
    } as const;
    const input = buildCommandInput(
      { entityId: c.req.param("id"), command, headers: c.req.raw.headers, options },
      loadConfig(c.env),
    );
    const reply = await c.var.entities.processCommand(input);
    return c.json(friendlyState(reply));
  });
  app.get("/api/v1/entities/:id{[\\s\\S]+}/events", async (c) => {
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
  // Entities by id prefix, from the partitions' entity index (an entity appears there once the read
  // pipeline has seen its first event, normally within a second of its commit).
  app.get("/api/v1/entities", async (c) => {
    const limit = parseUint32(c.req.query("limit"), "limit") ?? FIND_DEFAULT;
    if (limit < 1 || limit > FIND_MAX) throw new StatehouseError("invalid_argument", `limit must be from 1 to ${FIND_MAX}`);
    const prefix = c.req.query("prefix") ?? "";
    const found = await c.var.services.findEntities({ prefix, after: c.req.query("after") ?? "", limit });
    return c.json({
      entities: found.map((e) => ({ entity_id: e.entityId, head_revision: e.headRevision })),
      next_after: found.length === limit ? (found.at(-1)?.entityId ?? "") : "",
    });
  });
  app.get("/api/v1/entities/:id{[\\s\\S]+}", async (c) => {
    const revision = parseUint32(c.req.query("revision"), "revision");
    return c.json(friendlyState(await c.var.entities.getState(c.req.param("id"), revision)));
  });
  return app;
}

/** Entities a prefix search answers by default, and at most. */
const FIND_DEFAULT = 100;
const FIND_MAX = 1000;

/** {"state": friendly JSON, "meta": snake_case MetaData}. */
function friendlyState(s: EntityState) {
  return { state: anyToFriendlyJson(s.state, typeRegistry()), meta: metaToCosJson(s.meta) };
}
