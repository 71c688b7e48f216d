// foldCommand with an in-memory write handler: the chained fold, the deprecated field, validation.
import { create, fromBinary } from "@bufbuild/protobuf";
import { type Any, EmptySchema, StructSchema, anyPack, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { foldCommand } from "../../src/entity/fold.js";
import { StatehouseError } from "../../src/errors.js";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { HandleCommandResponseSchema, HandleEventResponseSchema } from "../../src/gen/chief_of_state/v1/writeside_pb.js";
import type { WriteHandler } from "../../src/handlers/index.js";

const struct = (fields: Record<string, number>): Any =>
  anyPack(StructSchema, create(StructSchema, { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { kind: { case: "numberValue" as const, value: v } }])) }));

/** A handler whose command yields `events`, and whose event handler sums "n" into the state's "total". */
function summing(events: Any[], legacy?: Any): WriteHandler & { eventCalls: number } {
  const h = {
    eventCalls: 0,
    async handleCommand() {
      return create(HandleCommandResponseSchema, { events, event: legacy });
    },
    async handleEvent(req: { event?: Any; priorState?: Any; eventMeta?: { revisionNumber: number } }) {
      h.eventCalls++;
      const prior = req.priorState?.typeUrl.endsWith("Struct") ? totalOf(req.priorState) : 0;
      return create(HandleEventResponseSchema, { resultingState: struct({ total: prior + totalOf(req.event, "n"), at: req.eventMeta?.revisionNumber ?? 0 }) });
    },
  };
  return h as unknown as WriteHandler & { eventCalls: number };
}

/** A number field of a Struct Any (0 when absent). */
function totalOf(a: Any | undefined, field = "total"): number {
  if (a === undefined) return 0;
  const value = fromBinary(StructSchema, a.value).fields[field]?.kind;
  return value?.case === "numberValue" ? value.value : 0;
}

const input = (priorRevision = 0) => ({
  entityId: "e",
  command: struct({}),
  priorState: priorRevision === 0 ? anyPack(EmptySchema, create(EmptySchema)) : struct({ total: 10 }),
  priorMeta: create(MetaDataSchema, { entityId: "e", revisionNumber: priorRevision }),
  revisionDate: timestampFromMs(0),
  persistedHeaders: [],
  propagatedHeaders: new Headers(),
  validation: { enabled: false, stateTypes: new Set<string>(), eventTypes: new Set<string>() },
});

describe("foldCommand", () => {
  it("given three events on revision 4, then each is folded onto the previous state with revisions 5, 6, 7", async () => {
    const folded = await foldCommand(summing([struct({ n: 1 }), struct({ n: 2 }), struct({ n: 3 })]), input(4));
    expect(folded.map((f) => f.meta.revisionNumber)).toEqual([5, 6, 7]);
    expect(folded.map((f) => totalOf(f.state))).toEqual([11, 13, 16]);
  });

  it("given no events, then nothing is folded and the event handler is not called", async () => {
    const h = summing([]);
    expect(await foldCommand(h, input())).toEqual([]);
    expect(h.eventCalls).toBe(0);
  });

  it("given only the deprecated event field, then that event is folded", async () => {
    const folded = await foldCommand(summing([], struct({ n: 5 })), input());
    expect(folded.map((f) => totalOf(f.state))).toEqual([5]);
  });

  it("given validation on and an event type not allowed, then it fails with CoS's message before any fold", async () => {
    const h = summing([struct({ n: 1 })]);
    const i = { ...input(), validation: { enabled: true, stateTypes: new Set(["google.protobuf.Struct"]), eventTypes: new Set(["bank.v1.Deposited"]) } };
    await expect(foldCommand(h, i)).rejects.toThrow(new StatehouseError("invalid_argument", "invalid event: type.googleapis.com/google.protobuf.Struct"));
    expect(h.eventCalls).toBe(0);
  });

  it("given an event handler that answers no state, then it fails with CoS's message", async () => {
    const h = summing([struct({ n: 1 })]);
    h.handleEvent = async () => create(HandleEventResponseSchema, {});
    await expect(foldCommand(h, input())).rejects.toThrow("event handler replied with empty state");
  });
});
