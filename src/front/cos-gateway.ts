// Chief of State's HTTP gateway: base64 Any in and out, honest HTTP statuses instead of a blanket 500.
import { Hono } from "hono";
import { loadConfig } from "../config/index.js";
import type { EntityState } from "../entity/index.js";
import { anyToBase64, metaToCosJson } from "../payload/index.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";
import { buildCommandInput, readCommand } from "../input/index.js";

/** POST /v1/commands/{entityId}/process and GET /v1/entities/{entityId}/state. */
export function cosGateway(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.post("/v1/commands/:id{[\\s\\S]+}/process", async (c) => {
    const body = await readJsonObject(c.req.raw);
    const command = readCommand({ form: "base64", value: body.command });
    const input = buildCommandInput(
      { entityId: c.req.param("id"), command, headers: c.req.raw.headers, options: { in: "headers" } },
      loadConfig(c.env),
    );
    const reply = await c.var.entities.processCommand(input);
    return c.json(cosStateJson(reply));
  });
  app.get("/v1/entities/:id{[\\s\\S]+}/state", async (c) => {
    return c.json(cosStateJson(await c.var.entities.getState(c.req.param("id"))));
  });
  return app;
}

/** {"state": base64 Any, "meta": snake_case MetaData}: the gateway's answer. */
function cosStateJson(s: EntityState) {
  return { state: anyToBase64(s.state), meta: metaToCosJson(s.meta) };
}
