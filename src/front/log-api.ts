// The event log over plain HTTP JSON: GET /api/v1/log and named consumers' positions.
import { Hono } from "hono";
import { loadConfig } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import { type DecodedLogEntry, type LogEntry, decodeLogEntry } from "../eventlog/index.js";
import { requireSubscriptions } from "../streams/index.js";
import { type SseEvent, readSseStart, sseResponse } from "./sse.js";
import { SUBSCRIPTION_ID_HEADER } from "./stream-api.js";
import { anyToFriendlyJson, metaToCosJson, typeRegistry } from "../payload/index.js";
import type { ConsumerPosition } from "../eventlog/index.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";

/**
 * GET /api/v1/log?from=&limit=&type=, GET /api/v1/log/stream (Server-Sent Events), GET
 * /api/v1/log/consumers, GET and PUT /api/v1/log/consumers/{id}. Entries use the friendly JSON of
 * GET /api/v1/entities/{id}/events, plus their offset.
 */
export function logApi(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.get("/api/v1/log", async (c) => {
    const page = await c.var.services.eventLog.read({
      from: parseOffset(c.req.query("from"), "from"),
      limit: parseOffset(c.req.query("limit"), "limit"),
      type: c.req.query("type"),
    });
    return c.json({
      entries: page.entries.map((e) => logEntryJson(decodeLogEntry(e))),
      next_offset: page.nextOffset,
      head_offset: page.headOffset,
      first_offset: page.firstOffset,
    });
  });
  app.get("/api/v1/log/stream", async (c) => {
    requireSubscriptions(loadConfig(c.env));
    const start = readSseStart(c.req.raw, (name) => c.req.query(name), parseOffset);
    const { from, subscriptionId, abort } = start;
    // Errors found here (bad from or type) answer with an HTTP status, before the stream starts.
    const entries = await c.var.services.logStreams.open({ from, type: c.req.query("type"), subscriptionId, signal: abort.signal });
    return sseResponse(toSse(entries), { abort, headers: { [SUBSCRIPTION_ID_HEADER]: subscriptionId }, lastEventId: String(entries.from - 1) });
  });
  app.get("/api/v1/log/consumers", async (c) => {
    const positions = await c.var.services.eventLog.listPositions(c.req.query("after") ?? "", parseOffset(c.req.query("limit"), "limit"));
    return c.json({ consumers: positions.map(positionJson) });
  });
  app.get("/api/v1/log/consumers/:id", async (c) => c.json(positionJson(await c.var.services.eventLog.getPosition(c.req.param("id")))));
  app.put("/api/v1/log/consumers/:id", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const offset = body.offset;
    if (typeof offset !== "number" && typeof offset !== "string") {
      throw new StatehouseError("invalid_argument", 'body must be {"offset": N}, the last offset the consumer handled');
    }
    const stored = await c.var.services.eventLog.setPosition(c.req.param("id"), parseOffset(String(offset), "offset") ?? -1);
    return c.json(positionJson(stored));
  });
  return app;
}

/** One entry as friendly JSON; an event too large for the log is null with event_omitted. */
export function logEntryJson(e: DecodedLogEntry) {
  const registry = typeRegistry();
  return {
    offset: e.offset,
    entity_id: e.entityId,
    revision: e.revision,
    event_type: e.eventType,
    event: anyToFriendlyJson(e.event, registry),
    ...(e.event === undefined ? { event_omitted: true } : {}),
    ...(e.state === undefined ? {} : { state: anyToFriendlyJson(e.state, registry) }),
    meta: metaToCosJson(e.meta),
    appended_at: new Date(e.appendedAt).toISOString(),
  };
}

async function* toSse(entries: AsyncIterable<LogEntry>): AsyncGenerator<SseEvent> {
  for await (const e of entries) yield { id: String(e.offset), event: "event", data: JSON.stringify(logEntryJson(decodeLogEntry(e))) };
}

function positionJson(p: ConsumerPosition) {
  return { consumer_id: p.consumerId, offset: p.offset, updated_at: new Date(p.updatedAt).toISOString() };
}

/** A whole number from a query or body (offsets outgrow uint32); undefined when absent. */
function parseOffset(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = /^\d{1,15}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new StatehouseError("invalid_argument", `${field} must be a whole number`);
  return n;
}
