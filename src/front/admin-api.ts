// The admin HTTP JSON API under /admin/v1: read sides, their cursors, parked events and dead letters.
import { Hono } from "hono";
import { loadConfig, requireReadSideSpec } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import type { ReadSideManager } from "../readside/index.js";
import { cursorJson, deadLetterJson, parkedJson, patchFromJson, readSideJson, statusJson } from "./admin-json.js";
import { readJsonObject } from "./json-body.js";
import type { FrontEnv } from "./front-env.js";

type AdminEnv = FrontEnv & { Variables: { manager: ReadSideManager } };

/** Routes for operators; the admin token is checked by adminAuth before these run. */
export function adminApi(): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>().basePath("/admin/v1");
  app.use("*", async (c, next) => {
    c.set("manager", c.var.services.manager);
    await next();
  });
  const specOptions = (env: Env) => ({ allowLocalHttp: loadConfig(env).allowLocalHttp });

  app.get("/read-sides", async (c) => c.json({ read_sides: (await c.var.manager.list()).map(readSideJson) }));
  app.post("/read-sides", async (c) => {
    const spec = requireReadSideSpec(await readJsonObject(c.req.raw), specOptions(c.env));
    return c.json(readSideJson(await c.var.manager.create(spec)), 201);
  });
  app.get("/read-sides/:id", async (c) => c.json(readSideJson(await c.var.manager.get(c.req.param("id")))));
  app.patch("/read-sides/:id", async (c) => {
    const patch = patchFromJson(await readJsonObject(c.req.raw), specOptions(c.env));
    return c.json(readSideJson(await c.var.manager.update(c.req.param("id"), patch)));
  });
  app.delete("/read-sides/:id", async (c) => {
    await c.var.manager.remove(c.req.param("id"));
    return c.json({ deleted: c.req.param("id") });
  });

  for (const action of ["pause", "resume", "restart"] as const) {
    app.post(`/read-sides/:id/${action}`, async (c) => {
      await c.var.manager[action](c.req.param("id"), intQuery(c.req.query("shard"), "shard"));
      return c.json({ successful: true });
    });
  }
  app.post("/read-sides/:id/skip", async (c) => {
    const skipped = await c.var.manager.skip(c.req.param("id"), {
      entityId: c.req.query("entity"),
      shard: intQuery(c.req.query("shard"), "shard"),
    });
    return c.json({ skipped });
  });
  app.get("/read-sides/:id/offsets", async (c) => {
    const offsets = await c.var.manager.offsets(c.req.param("id"), intQuery(c.req.query("shard"), "shard"));
    return c.json({ offsets });
  });
  app.get("/read-sides/:id/cursors", async (c) => {
    const cursors = await c.var.manager.cursors(c.req.param("id"), {
      shard: intQuery(c.req.query("shard"), "shard"),
      entityId: c.req.query("entity"),
      after: c.req.query("after"),
      limit: intQuery(c.req.query("limit"), "limit") ?? 100,
      failingOnly: c.req.query("failing") === "true",
    });
    return c.json({ cursors: cursors.map((cur) => cursorJson(cur)) });
  });
  app.get("/read-sides/:id/status", async (c) => c.json(statusJson(await c.var.manager.status(c.req.param("id")))));
  app.get("/read-sides/:id/parked", async (c) => {
    const query = { entityId: c.req.query("entity"), limit: intQuery(c.req.query("limit"), "limit") ?? 100 };
    const parked = await c.var.manager.parked(c.req.param("id"), query);
    return c.json({ parked: parked.map(parkedJson) });
  });
  app.post("/read-sides/:id/parked/replay", async (c) => {
    const body = await readJsonObject(c.req.raw);
    if (typeof body.entity_id !== "string" || typeof body.revision !== "number") {
      throw new StatehouseError("invalid_argument", "send {\"entity_id\": string, \"revision\": number}");
    }
    await c.var.manager.replayParked(c.req.param("id"), body.entity_id, body.revision);
    return c.json({ successful: true });
  });
  app.delete("/read-sides/:id/parked", async (c) => {
    const entityId = c.req.query("entity");
    const revision = intQuery(c.req.query("revision"), "revision");
    if (entityId === undefined || entityId === "" || revision === undefined) {
      throw new StatehouseError("invalid_argument", "name the parked event: ?entity=<entity id>&revision=<revision>");
    }
    await c.var.manager.deleteParked(c.req.param("id"), entityId, revision);
    return c.json({ deleted: { entity_id: entityId, revision } });
  });
  app.get("/status", async (c) => {
    const m = c.var.manager;
    return c.json({ read_sides: await Promise.all((await m.list()).map(async (r) => statusJson(await m.status(r.spec.id)))) });
  });
  app.get("/dead-letters", async (c) => {
    const letters = await c.var.manager.deadLetters({ limit: 100, pendingOnly: c.req.query("all") !== "true" });
    return c.json({ dead_letters: letters.map(deadLetterJson) });
  });
  app.post("/dead-letters/:n/replay", async (c) => {
    await c.var.manager.replayDeadLetter(intQuery(c.req.param("n"), "dead letter id") ?? 0);
    return c.json({ successful: true });
  });
  return app;
}

function intQuery(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw new StatehouseError("invalid_argument", `${what} must be a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}
