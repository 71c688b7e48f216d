// The front door: hono app with health, CORS, auth, body limit, CoS gateway, JSON API, metrics and Connect services.
import { Hono } from "hono";
import { describeWriteHandler, loadConfig } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import { flushRequestCounters } from "../metrics/index.js";
import { type ConnectFetchHandler, createConnectServices, createRequestContextValues } from "../rpc/index.js";
import { typeRegistry } from "../payload/index.js";
import { adminApi } from "./admin-api.js";
import { bodyLimit, drainUnreadBody } from "./body-limit.js";
import { ADMIN_PATHS, ADMIN_PATH_PREFIXES, adminAuth, bearerAuth } from "./auth.js";
import { cosGateway } from "./cos-gateway.js";
import { corsForOrigins } from "./cors.js";
import { countedCommands } from "./counted-commands.js";
import { docsApi } from "./docs-api.js";
import { errorResponse } from "./error-response.js";
import type { FrontEnv, ServicesOf } from "./front-env.js";
import { jsonApi } from "./json-api.js";
import { logApi } from "./log-api.js";
import { metricsApi } from "./metrics-api.js";
import { streamApi } from "./stream-api.js";
import { traceRequests } from "./trace-request.js";
import { wellFormedPath } from "./well-formed-path.js";

/** Largest request body: a command must leave room for event, state and meta in a 2 MB row. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the front-door app over the services the composition root builds per env. */
export function createApp(servicesOf: ServicesOf): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  // Built on the first Connect request, not at startup, so the type registry stays off the isolate's startup path.
  let connectServices: ConnectFetchHandler | undefined;

  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) => errorResponse(c, new StatehouseError("not_found", `no route for ${c.req.method} ${c.req.path}`)));
  // Outermost: every answer, even a 401 or a 404, waits until the request body was read.
  app.use("*", drainUnreadBody());
  app.use("*", traceRequests());
  // Before authentication: a browser's preflight carries no Authorization header.
  app.use("*", corsForOrigins());

  app.get("/healthz", (c) => {
    try {
      const config = loadConfig(c.env);
      return c.json({ status: "ok", write_handler: describeWriteHandler(config), auth: config.auth.enabled ? "on" : "off" });
    } catch (cause) {
      const err = StatehouseError.from(cause);
      return c.json({ status: "misconfigured", code: err.code, message: err.message }, 503);
    }
  });

  // eskit's health check (its grpc-gateway's GET /v1/healtz for Healtz), open like /healthz.
  app.get("/v1/healtz", (c) => {
    try {
      loadConfig(c.env);
      return c.json({ message: "OK" });
    } catch (cause) {
      const err = StatehouseError.from(cause);
      return c.json({ code: err.code, message: err.message }, 503);
    }
  });

  app.use("*", bearerAuth());
  for (const prefix of ADMIN_PATH_PREFIXES) app.use(`${prefix}*`, adminAuth());
  for (const path of ADMIN_PATHS) app.use(path, adminAuth());
  app.use("*", wellFormedPath());
  app.use(
    "*",
    bodyLimit(MAX_BODY_BYTES, (c) =>
      errorResponse(c, new StatehouseError("resource_exhausted", `request body is larger than ${MAX_BODY_BYTES} bytes`)),
    ),
  );
  app.use("*", async (c, next) => {
    const services = servicesOf(c.env);
    c.set("services", services);
    c.set("entities", countedCommands(services.entities));
    c.set("subscriptions", services.subscriptions);
    try {
      await next();
    } finally {
      // The isolate's command and error counts reach D1 at most every 10 s, after the answer.
      c.executionCtx.waitUntil(flushRequestCounters(c.env.DB, Date.now()));
    }
  });

  app.route("/", cosGateway());
  // Before jsonApi: its GET /api/v1/entities/{id} would take …/events/stream as an entity id.
  app.route("/", streamApi());
  app.route("/", jsonApi());
  app.route("/", docsApi());
  app.route("/", logApi());
  app.route("/", adminApi());
  app.route("/", metricsApi());

  app.post("/:service{[a-z_][a-z0-9_]*(?:\\.[a-z_][a-z0-9_]*)*\\.[A-Za-z]+Service}/:method", async (c) => {
    const s = c.var.services;
    const values = createRequestContextValues({
      entities: c.var.entities,
      config: s.config,
      readSides: s.manager,
      subscriptions: c.var.subscriptions,
      eventLog: s.eventLog,
      logStreams: s.logStreams,
      docIndex: s.docIndex,
      typeStore: s.typeStore,
    });
    connectServices ??= createConnectServices({ jsonOptions: { registry: typeRegistry() }, readMaxBytes: MAX_BODY_BYTES });
    const res = await connectServices(c.req.raw, values);
    if (res === undefined) {
      throw new StatehouseError("unimplemented", `${c.req.param("service")}/${c.req.param("method")} is not served here`);
    }
    return res;
  });
  return app;
}
