// eskit test helpers: clients generated from eskit's protos, through the front door, and waits on the log.
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { type Client } from "@connectrpc/connect";
import { ConsumerService } from "../../src/gen/contracts/consumerstore/service_pb.js";
import { CrudStoreService } from "../../src/gen/contracts/crudstore/service_pb.js";
import { type AppLogEntry, type Event, EventSchema } from "../../src/gen/contracts/eventstore/event_pb.js";
import { AppLogRequestSchema, EventstoreService } from "../../src/gen/contracts/eventstore/service_pb.js";
import { connectClient } from "../helpers.js";
import { eventually } from "../readside/helpers.js";

type Protocol = "connect" | "connect-json" | "grpc-web";
/** A Logs / LogsPoll request, every field optional. */
type LogsRequest = MessageInitShape<typeof AppLogRequestSchema>;

/** An EventstoreService client (Connect binary unless told otherwise). */
export function eventstore(protocol: Protocol = "connect"): Client<typeof EventstoreService> {
  return connectClient(EventstoreService, { protocol });
}

/** A ConsumerService client. */
export function consumers(protocol: Protocol = "connect"): Client<typeof ConsumerService> {
  return connectClient(ConsumerService, { protocol });
}

/** An eskit event for `id` at `version`. */
export function eskitEvent(id: string, version: number | string, eventType: string, payload: unknown = {}): Event {
  return create(EventSchema, {
    originator: { id, version: String(version) },
    eventType,
    payload: JSON.stringify(payload),
    occuredOn: 1_700_000_000n,
  });
}

/** Appends events one after the other. */
export async function appendAll(events: Event[], client = eventstore()): Promise<void> {
  for (const event of events) await client.append({ event });
}

/**
 * Reads Logs until `done` holds for the answer (the log is filled by the Queue consumer after
 * Append answers), and returns that answer.
 */
export async function logsUntil(req: LogsRequest, done: (r: AppLogEntry[]) => boolean): Promise<AppLogEntry[]> {
  return eventually(async () => {
    const { results } = await eventstore().logs(req);
    if (!done(results)) throw new Error(`the log does not hold what is awaited yet: ${results.map((r) => `${r.id}:${r.event?.eventType}`).join(", ")}`);
    return results;
  });
}

/** A log entry as [id, entity, version, event_type], for comparing. */
export function brief(e: AppLogEntry): [string, string | undefined, string | undefined, string | undefined] {
  return [e.id, e.event?.originator?.id, e.event?.originator?.version, e.event?.eventType];
}

/** Opens LogsPoll and reads its messages one at a time; `close` ends the call. */
export function poll(req: LogsRequest, protocol: Protocol = "connect") {
  const abort = new AbortController();
  const it = eventstore(protocol).logsPoll(req, { signal: abort.signal })[Symbol.asyncIterator]();
  return {
    async take(n: number): Promise<AppLogEntry[]> {
      const out: AppLogEntry[] = [];
      while (out.length < n) {
        const r = await it.next();
        if (r.done === true) break;
        out.push(r.value);
      }
      return out;
    },
    close: () => abort.abort(),
  };
}

let counter = 0;
/** A fresh entity-type name for event types ("Kind3k2x1"), so a selector sees only one test's events. */
export function freshType(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** A CrudStoreService client. */
export function crudstore(protocol: Protocol = "connect"): Client<typeof CrudStoreService> {
  return connectClient(CrudStoreService, { protocol });
}
