// Worker entry: the front door, the queue consumers, the reconciler and the Durable Object classes. Wiring only.
import { env, tracing } from "cloudflare:workers";
import { describeWriteHandler, parseConfig } from "./config/index.js";
import { createApp } from "./front/index.js";
import { log } from "./log.js";
import { handleQueue, reconcile } from "./readside/index.js";
import { deadLetterDeps, entityPorts, partitionPorts, servicesOf } from "./services.js";
import { installSpanApi } from "./trace/index.js";
// The Durable Object classes, from their own files: no folder's index exports one, so importing a folder never loads cloudflare:workers.
import { EntityObject as EntityObjectBase } from "./entity/entity-object.js";
import { PartitionObject as PartitionObjectBase } from "./partition/partition-object.js";

export { LogHub } from "./streams/log-hub.js";
export { SubscriptionObject } from "./streams/subscription-object.js";

/** One Durable Object per entity, with its ports from the composition root. */
export class EntityObject extends EntityObjectBase {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, entityPorts(env));
  }
}

/** One Durable Object per partition: its store, with its ports from the composition root. */
export class PartitionObject extends PartitionObjectBase {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, partitionPorts(env));
  }
}

// Statehouse's spans become named spans of Cloudflare's trace ([observability.traces] in wrangler.toml).
installSpanApi(tracing);

// Validate the configuration at start, so a bad value is named in the log before any request.
const startup = parseConfig(env as Env);
if (startup.ok) {
  const c = startup.config;
  log.info(`statehouse: write handler = ${describeWriteHandler(c)}; auth ${c.auth.enabled ? "on" : "OFF (STATEHOUSE_AUTH=off)"}; ${c.partitions} partition(s)`);
} else {
  log.error(`statehouse: invalid configuration: ${startup.errors.join("; ")}`, { code: "failed_precondition", problems: startup.errors });
}

const app = createApp(servicesOf);

export default {
  fetch: app.fetch,
  queue: (batch, env, _ctx) => handleQueue(batch, deadLetterDeps(env)),
  scheduled: async (_controller, env, _ctx) => {
    await reconcile(servicesOf(env).readSides);
  },
} satisfies ExportedHandler<Env>;
