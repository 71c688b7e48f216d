// Chief of State's HTTP gateway: base64 Any in and out, honest HTTP statuses instead of a blanket 500.
import { Hono } from "hono";
import { toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { loadConfig } from "../config/index.js";
import type { EntityState } from "../entity/index.js";
import { StatehouseError } from "../errors.js";
import { anyFromBase64, anyToBase64, metaToCosJson } from "../payload/index.js";
import type { FrontEnv } from "./front-env.js";
import { readJsonObject } from "./json-body.js";
import { optionsFromHeaders, pickHeaders } from "../rpc/index.js";

/** POST /v1/commands/{entityId}/process and GET /v1/entities/{entityId}/state. */
export function cosGateway(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.post("/v1/commands/:id{.+}/process", async (c) => {
    const body = await readJsonObject(c.req.raw);
    if (body.command === undefined || body.command === null || body.command === "") {
      throw new StatehouseError("invalid_argument", "missing command");
    }
    const command = anyFromBase64(body.command, "command");
    const config = loadConfig(c.env);
    const reply = await c.var.entities.processCommand({
      entityId: c.req.param("id"),
      command: toBinary(AnySchema, command),
      ...pickHeaders(c.req.raw.headers, config),
      ...optionsFromHeaders(c.req.raw.headers),
    });
    return c.json(cosStateJson(reply));
  });
  app.get("/v1/entities/:id{.+}/state", async (c) => {
    return c.json(cosStateJson(await c.var.entities.getState(c.req.param("id"))));
  });
  return app;
}

/** {"state": base64 Any, "meta": snake_case MetaData}: the gateway's answer. */
function cosStateJson(s: EntityState) {
  return { state: anyToBase64(s.state), meta: metaToCosJson(s.meta) };
}
