// The per-request values a Connect service reads from its HandlerContext: entity client, config, read-side manager, subscriptions.
import { type ContextValues, type HandlerContext, createContextValues, createContextKey } from "@connectrpc/connect";
import type { Config } from "../config/index.js";
import type { EntityClient, EntitySubscriptions } from "../entity/index.js";
import type { DocIndex, TypeStore } from "../eskit/store/index.js";
import type { EventLog } from "../eventlog/index.js";
import { StatehouseError } from "../errors.js";
import type { ReadSideManager } from "../readside/index.js";
import type { LogStreams } from "../streams/index.js";

/** What the front door hands every Connect call; services are built once and read these per request. */
export interface RpcRequestValues {
  entities: EntityClient;
  config: Config;
  readSides: ReadSideManager;
  /** Subscribe / Unsubscribe to entities. */
  subscriptions: EntitySubscriptions;
  eventLog: EventLog;
  /** SubscribeAll and LogService.Tail: the global log from an offset, then live. */
  logStreams: LogStreams;
  /** eskit's CRUD store: the index of documents per type and the type registry. */
  docIndex: DocIndex;
  typeStore: TypeStore;
}

const requestValuesKey = createContextKey<RpcRequestValues | undefined>(undefined, {
  description: "statehouse request values",
});

/** Context values carrying this request's entity client, config and read-side manager. */
export function createRequestContextValues(values: RpcRequestValues): ContextValues {
  return createContextValues().set(requestValuesKey, values);
}

/** This call's request values; their absence is a wiring bug, reported as internal. */
export function requestValues(ctx: HandlerContext): RpcRequestValues {
  return requestValuesOf(ctx.values);
}

/** The request values in `values`, for a path that serves a method without a HandlerContext. */
export function requestValuesOf(values: ContextValues): RpcRequestValues {
  const found = values.get(requestValuesKey);
  if (found === undefined) throw new StatehouseError("internal", "request values are not set for this call");
  return found;
}
