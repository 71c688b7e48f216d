// The systems under test, as request builders (the ladder's rungs, Statehouse's entry points, the Emmett peer), and the targets they are held to.
import { writeFields } from "../workers/proto-wire.js";
import type { Shot } from "./client.js";
import { hostOf, type Variant } from "./stack.js";

const enc = new TextEncoder();
const CONNECT = { "content-type": "application/proto", "connect-protocol-version": "1" };
export const PROCESS_COMMAND = "/chief_of_state.v1.ChiefOfStateService/ProcessCommand";

/** A serialized google.protobuf.Any holding `size` bytes: the command, hence the event and the state. */
export function payloadAny(size: number): Uint8Array {
  return writeFields([[1, enc.encode("type.googleapis.com/bench.v1.Payload")], [2, new Uint8Array(size).fill(0x61)]]);
}

/** A system under test: builds the request for one command to entity `id`. */
export interface Target {
  name: string;
  group: "ladder" | "statehouse" | "peer";
  /** Where the request goes; undefined means the workerd entry socket. */
  base?: URL;
  shot(id: string, size: number): Shot;
}

const anyCache = new Map<number, Uint8Array>();
function cachedAny(size: number): Uint8Array {
  let a = anyCache.get(size);
  if (a === undefined) anyCache.set(size, (a = payloadAny(size)));
  return a;
}

/** A ladder rung (B1–B4x2) through the bench Worker. */
export function ladderTarget(rung: string, transport?: "sb" | "http"): Target {
  const q = transport === undefined ? "" : `?t=${transport}`;
  return {
    name: transport === undefined ? rung.toUpperCase() : `${rung.toUpperCase()} ${transport}`,
    group: "ladder",
    shot: (id, size) => ({ host: hostOf("ladder"), path: `/${rung}/${encodeURIComponent(id)}${q}`, body: cachedAny(size) }),
  };
}

/** Statehouse's Connect ProcessCommand (binary), the way CoS clients call it. */
export function statehouseTarget(variant: Variant, label = `Statehouse ${variant}`, headers: Record<string, string> = {}): Target {
  return {
    name: label,
    group: "statehouse",
    shot: (id, size) => ({
      host: hostOf(variant),
      path: PROCESS_COMMAND,
      body: writeFields([[1, enc.encode(id)], [2, cachedAny(size)]]),
      headers: { ...CONNECT, ...headers },
    }),
  };
}

/**
 * The same call with a Connect deadline header, which the binary ProcessCommand path leaves to the
 * Connect router (src/rpc/process-command-binary.ts): the router's cost, measured in the same run.
 */
export function statehouseRouterTarget(variant: Variant): Target {
  return statehouseTarget(variant, `Statehouse ${variant} (Connect router)`, { "connect-timeout-ms": "60000" });
}

/** The command straight to EntityObject's RPC (bench route): Statehouse without its front door. */
export function statehouseDirectTarget(variant: Variant): Target {
  return {
    name: `Statehouse ${variant} (DO RPC, no front door)`,
    group: "statehouse",
    shot: (id, size) => ({ host: hostOf(variant), path: `/__bench/direct?id=${encodeURIComponent(id)}`, body: cachedAny(size) }),
  };
}

const peerBodies = new Map<number, Uint8Array>();
/** The Emmett peer's command endpoint. */
export function peerTarget(base: URL, mode: string): Target {
  return {
    name: `Emmett ${mode}`,
    group: "peer",
    base,
    shot: (id, size) => {
      let body = peerBodies.get(size);
      if (body === undefined) peerBodies.set(size, (body = enc.encode(JSON.stringify({ p: "a".repeat(size) }))));
      return { host: base.host, path: `/commands/${encodeURIComponent(id)}`, body, headers: { "content-type": "application/json" } };
    },
  };
}

/** S1: an entity's Server-Sent Events stream (`from` 0 = only events committed from now on). */
export function entityStreamPath(id: string, from: number): string {
  return `/api/v1/entities/${encodeURIComponent(id)}/events/stream?from=${from}`;
}

/** S2: the global log's Server-Sent Events stream (`from` 0 = only what is appended from now on). */
export function logStreamPath(from: number): string {
  return `/api/v1/log/stream?from=${from}`;
}

/** S3's target (issue 9): the log's own rows written per event (now its segments in the partition store). */
export const LOG_ROWS_PER_EVENT_TARGET = 1;

/**
 * The targets of "Scale out the event pipeline", for one partition with two read sides and the
 * log over 100 entities (W4, batch window 0), and for the partition store's headroom.
 */
export const PIPELINE_TARGETS = {
  /** Central-store rows written per event, everything included (partition stores + D1), by offered cmd/s. */
  rowsWrittenPerEvent: { 50: 2.0, 200: 1.2 } as Record<number, number>,
  /**
   * Central-store requests per event (RPCs to partition stores + D1 statements), by offered cmd/s:
   * the measure comparable to the old "D1 statements per event", since each one is a round trip to
   * a store that serves them one at a time (D1 ~1,000 queries/s, a Durable Object ~1,000 requests/s).
   */
  requestsPerEvent: { 50: 3, 200: 0.2 } as Record<number, number>,
  /** W4/W5 at 200 cmd/s: read-side lag p99 below this, and nothing lost, out of order or duplicated. */
  lagP99Ms: 1000,
  lagRate: 200,
  /** Events/s one partition's store takes from the consumer's two calls alone (full batches of 100 entities). */
  partitionEventsPerSecond: 5000,
  /** Events/s of K = 4 partitions driven at once, as a multiple of one partition's. */
  fourPartitionScaling: 3.2,
} as const;
