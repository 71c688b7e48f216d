// The event log over plain HTTP JSON: GET /api/v1/log and named consumers' positions.
import { Hono } from "hono";
import { loadConfig } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import { type DecodedLogEntry, decodeLogEntry, formatLogPosition, formatLogStart } from "../eventlog/index.js";
import { type StreamedEntry, requireSubscriptions } from "../streams/index.js";
import { type SseEvent, sseResponse } from "./sse.js";
import { SUBSCRIPTION_ID_HEADER } from "./stream-api.js";
import { anyToFriendlyJson, metaToCosJson, typeRegistry } from "../payload/index.js";
import type { ConsumerPosition } from "../eventlog/index.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";

/**
 * GET /api/v1/log?from=&limit=&type=&entity=, GET /api/v1/log/stream (Server-Sent Events), GET
 * /api/v1/log/consumers, GET and PUT /api/v1/log/consumers/{id}. Entries use the friendly JSON of
 * GET /api/v1/entities/{id}/events, plus their place in the log. With one partition, offsets,
 * SSE ids and consumer positions are the same whole numbers as ever; with several, a position is
 * a string of one offset per partition ("15-0-7") and the numeric fields speak of one partition.
 */
export function logApi(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.get("/api/v1/log", async (c) => {
    const eventLog = c.var.services.eventLog;
    const page = await eventLog.read({
      from: positionQuery(c.req.query("from"), "from"),
      limit: parseOffset(c.req.query("limit"), "limit"),
      type: c.req.query("type"),
      entity: c.req.query("entity"),
    });
    const one = eventLog.partitions === 1;
    return c.json({
      entries: page.entries.map((e) => ({ ...logEntryJson(decodeLogEntry(e.entry)), ...(one ? {} : { partition: e.entry.partition }), position: e.position })),
      ...(one ? { next_offset: page.nextStart[0], head_offset: page.head[0], first_offset: page.first[0] } : {}),
      next: page.next,
      head: formatLogPosition(page.head),
      first: formatLogStart(page.first),
    });
  });
  app.get("/api/v1/log/stream", async (c) => {
    requireSubscriptions(loadConfig(c.env));
    const lastEventId = c.req.header("last-event-id")?.trim();
    const subscriptionId = c.req.query("subscription_id") || crypto.randomUUID();
    const abort = new AbortController();
    c.req.raw.signal.addEventListener("abort", () => abort.abort(), { once: true });
    // Errors found here (bad from or type) answer with an HTTP status, before the stream starts.
    const entries = await c.var.services.logStreams.open({
      // EventSource resends the last id it saw when it reconnects: it wins over ?from=.
      after: lastEventId === undefined || lastEventId === "" ? undefined : lastEventId,
      from: positionQuery(c.req.query("from"), "from"),
      type: c.req.query("type"),
      entity: c.req.query("entity"),
      subscriptionId,
      signal: abort.signal,
    });
    return sseResponse(toSse(entries), { abort, headers: { [SUBSCRIPTION_ID_HEADER]: subscriptionId }, lastEventId: entries.before });
  });
  app.get("/api/v1/log/consumers", async (c) => {
    const positions = await c.var.services.eventLog.listPositions(c.req.query("after") ?? "", parseOffset(c.req.query("limit"), "limit"));
    return c.json({ consumers: positions.map(positionJson) });
  });
  app.get("/api/v1/log/consumers/:id", async (c) => c.json(positionJson(await c.var.services.eventLog.getPosition(c.req.param("id")))));
  app.put("/api/v1/log/consumers/:id", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const given = body.position ?? body.offset;
    if (typeof given !== "number" && typeof given !== "string") {
      throw new StatehouseError("invalid_argument", 'body must be {"offset": N} (or {"position": "…"}), the last place in the log the consumer handled');
    }
    const stored = await c.var.services.eventLog.setPosition(c.req.param("id"), String(given).trim());
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

async function* toSse(entries: AsyncIterable<StreamedEntry>): AsyncGenerator<SseEvent> {
  for await (const e of entries) {
    yield { id: e.position, event: "event", data: JSON.stringify({ ...logEntryJson(decodeLogEntry(e.entry)), position: e.position }) };
  }
}

function positionJson(p: ConsumerPosition) {
  const offset = /^\d+$/.test(p.position) ? { offset: Number(p.position) } : {};
  return { consumer_id: p.consumerId, ...offset, position: p.position, updated_at: new Date(p.updatedAt).toISOString() };
}

/** A log position or start from a query: kept as text (the log parses it for its number of partitions). */
function positionQuery(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^[0-9-]{1,400}$/.test(value.trim())) throw new StatehouseError("invalid_argument", `${field} must be a log offset (a whole number) or a position such as 15-0-7`);
  return value.trim();
}

/** A whole number from a query or body (offsets outgrow uint32); undefined when absent. */
function parseOffset(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = /^\d{1,15}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new StatehouseError("invalid_argument", `${field} must be a whole number`);
  return n;
}
