// A live log stream (SubscribeAll, Tail, /api/v1/log/stream) open while a shard moves: the moved entity's entries must still come in revision order.
//
// The Worker runs with STATEHOUSE_PARTITIONS=1. The test runs the old deployment's consumer (one
// partition) and the new one's (two) on composed batches that carry their rows, and follows the
// log as the new deployment's streams do.
import { env } from "cloudflare:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../src/eventlog/index.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { servicesOf } from "../../src/services.js";
import { freshId, structAny } from "../helpers.js";
import { eventually } from "../readside/helpers.js";
import { consume, partitionsOf } from "../support/pipeline.js";

const resized = { ...env, STATEHOUSE_PARTITIONS: "2" } as Env;
const p2 = partitionsOf(resized);

/** The old deployment, whose publish of one append to partition 0's hub is lost (publishing is best effort). */
const lossy = {
  ...env,
  LOG_HUB: new Proxy(env.LOG_HUB, {
    get(target, prop) {
      if (prop === "get") return () => ({ publish: async () => 0 });
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }),
} as Env;

/** A queue message for `entityId`'s revision `revision` that carries its journal row. */
function news(entityId: string, revision: number) {
  const event = toBinary(AnySchema, structAny({ revision }));
  const meta = toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: revision }));
  return { entityId, fromRevision: revision, toRevision: revision, events: [{ revision, event, state: event, meta }] };
}

function idIn(p: number, prefix: string): string {
  for (;;) {
    const id = freshId(prefix);
    if (p2.partitionOf(id) === p) return id;
  }
}

describe("a live log stream across a move", { timeout: 60_000 }, () => {
  it("does not hand out a moved entity's first entry in its new partition before its last one in the old partition", async () => {
    const moving = idIn(1, "live-mv");
    const staying = idIn(0, "live-st");
    const signal = new AbortController();
    const seen: LogEntry[] = [];
    const stream = await servicesOf(resized).logStreams.open({ signal: signal.signal });
    const reading = (async () => {
      for await (const { entry } of stream) seen.push(entry);
    })().catch(() => undefined);
    try {
      // The stream is live once it has seen a first append (the old deployment's).
      await consume([news(staying, 1)], env);
      await eventually(async () => expect(seen.map((e) => `${e.entityId}@${e.revision}`)).toEqual([`${staying}@1`]));

      // The old deployment appends the moving entity's revision 1 to partition 0; the hub misses it.
      await consume([news(moving, 1)], lossy);
      // The new deployment moves the shard, then appends revision 2 to partition 1 (behind a barrier).
      await p2.store(1).ensureShards(p2.route(1));
      await consume([news(moving, 2)], resized);
      await new Promise((r) => setTimeout(r, 500));
      // Partition 0's next append shows its feed the gap, which it reads from the store.
      await consume([news(staying, 2)], resized);

      await eventually(async () => expect(seen.filter((e) => e.entityId === moving)).toHaveLength(2));
      expect(seen.filter((e) => e.entityId === moving).map((e) => e.revision)).toEqual([1, 2]);
    } finally {
      signal.abort();
      await reading;
    }
  });
});
