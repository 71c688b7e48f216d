// Live streams over HTTP: Server-Sent Events of one entity's events, and the stream tokens EventSource needs.
import { Hono } from "hono";
import { loadConfig } from "../config/index.js";
import type { SubscriptionItem } from "../entity/index.js";
import { StatehouseError } from "../errors.js";
import { anyToFriendlyJson, metaToCosJson, typeRegistry } from "../payload/index.js";
import { parseUint32 } from "../input/index.js";
import { requireSubscriptions } from "../streams/index.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";
import { type SseEvent, readSseStart, sseResponse } from "./sse.js";
import { mintStreamToken, streamTokenTtl } from "./stream-token.js";

/** Response header naming the subscription id of an SSE stream (for Unsubscribe). */
export const SUBSCRIPTION_ID_HEADER = "statehouse-subscription-id";

/** GET /api/v1/entities/{id}/events/stream and POST /api/v1/stream-tokens. */
export function streamApi(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.get("/api/v1/entities/:id{[\\s\\S]+}/events/stream", async (c) => {
    requireSubscriptions(loadConfig(c.env));
    const { from, resumed, subscriptionId, abort } = readSseStart(c.req.raw, (name) => c.req.query(name), parseUint32);
    // Errors found here (bad from, unknown subscription setup) answer with an HTTP status, before the stream starts.
    const items = await c.var.subscriptions.open({
      entityId: c.req.param("id"),
      subscriptionId,
      from,
      includeState: c.req.query("state") === "true" && !resumed,
      signal: abort.signal,
    });
    return sseResponse(toSse(items), { abort, headers: { [SUBSCRIPTION_ID_HEADER]: subscriptionId }, lastEventId: String(items.from - 1) });
  });

  app.post("/api/v1/stream-tokens", async (c) => {
    const text = await c.req.text();
    const body = text.trim() === "" ? {} : await readJsonObject(new Request(c.req.url, { method: "POST", body: text }));
    const ttl = streamTokenTtl(body.ttl_seconds);
    const config = loadConfig(c.env);
    // The API token that authenticated this request signs the stream token (auth on: bearerAuth checked it).
    const apiToken = config.auth.enabled ? /^Bearer\s+(\S+)/i.exec(c.req.header("authorization") ?? "")?.[1] : "statehouse-auth-off";
    if (apiToken === undefined) throw new StatehouseError("unauthenticated", "send Authorization: Bearer <API token>");
    const { token, expiresAt } = await mintStreamToken(apiToken, ttl);
    return c.json({ token, expires_at: expiresAt.toISOString(), ttl_seconds: ttl, scope: "read" }, 201);
  });
  return app;
}

async function* toSse(items: AsyncIterable<SubscriptionItem>): AsyncGenerator<SseEvent> {
  const registry = typeRegistry();
  for await (const item of items) {
    const data: Record<string, unknown> = { revision: item.revision };
    if (item.event !== undefined) data.event = anyToFriendlyJson(item.event, registry);
    data.state = anyToFriendlyJson(item.state, registry);
    data.meta = metaToCosJson(item.meta);
    yield { id: String(item.revision), event: item.event === undefined ? "state" : "event", data: JSON.stringify(data) };
  }
}
