// GET /metrics: Prometheus' text format, behind the admin token.
import { Hono } from "hono";
import { EXPOSITION_CONTENT_TYPE, renderExposition } from "../metrics/index.js";
import type { FrontEnv } from "./front-env.js";

/** The scrape path; auth.ts treats it as an admin path. */
export const METRICS_PATH = "/metrics";

/** GET /metrics: eskit's series and Statehouse's own, added up over the partitions and the control plane at scrape time (see metrics/). */
export function metricsApi(): Hono<FrontEnv> {
  const app = new Hono<FrontEnv>();
  app.get(METRICS_PATH, async (c) => {
    const body = renderExposition(await c.var.services.readMetrics());
    return c.body(body, 200, { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" });
  });
  return app;
}
