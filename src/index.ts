// Worker entry: the front door, the queue consumers, the reconciler and the Durable Object classes. Wiring only.
import { env } from "cloudflare:workers";
import { describeWriteHandler, parseConfig } from "./config/index.js";
import { createApp } from "./front/index.js";
import { log } from "./log.js";
import { handleQueue, handleScheduled } from "./readside/index.js";

export { EntityObject } from "./entity/index.js";
export { LogHub, SubscriptionObject } from "./streams/index.js";

// Validate the configuration at start, so a bad value is named in the log before any request.
const startup = parseConfig(env as Env);
if (startup.ok) {
  log.info(`statehouse: write handler = ${describeWriteHandler(startup.config)}; auth ${startup.config.auth.enabled ? "on" : "OFF (STATEHOUSE_AUTH=off)"}`);
} else {
  log.error(`statehouse: invalid configuration: ${startup.errors.join("; ")}`, { code: "failed_precondition", problems: startup.errors });
}

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
  scheduled: handleScheduled,
} satisfies ExportedHandler<Env>;
