// The Queue message parser: what the consumer accepts, and what it keeps as a dead letter.
import { describe, expect, it } from "vitest";
import { parseMessage } from "../../src/readside/messages.js";

describe("parseMessage", () => {
  it("reads a delivery range, with or without target read sides", () => {
    expect(parseMessage({ entityId: "a", fromRevision: 1, toRevision: 3 })).toEqual({
      kind: "delivery",
      body: { entityId: "a", fromRevision: 1, toRevision: 3, readSideIds: undefined },
    });
    expect(parseMessage({ entityId: "a", fromRevision: 2, toRevision: 2, readSideIds: ["x"] })?.body).toMatchObject({ readSideIds: ["x"] });
  });

  it("reads the rows a delivery carries", () => {
    const row = { revision: 1, event: new Uint8Array([1]), state: new Uint8Array([2]), meta: new Uint8Array([3]) };
    expect(parseMessage({ entityId: "a", fromRevision: 1, toRevision: 1, events: [row] })?.body).toMatchObject({ events: [row] });
  });

  it("reads the trace a delivery names, and leaves out one that is not a pair of strings", () => {
    const trace = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "rojo=1" };
    expect(parseMessage({ entityId: "a", fromRevision: 1, toRevision: 1, trace })?.body).toMatchObject({ trace });
    expect(parseMessage({ entityId: "a", fromRevision: 1, toRevision: 1, trace: { traceparent: 7 } })?.body).not.toHaveProperty("trace");
    expect(parseMessage({ entityId: "a", fromRevision: 1, toRevision: 1, trace: "x" })?.kind).toBe("delivery");
  });

  it("reads a sweep page, with or without a shard", () => {
    expect(parseMessage({ sweep: { readSideId: "x", after: "" } })).toEqual({ kind: "sweep", body: { sweep: { readSideId: "x", after: "", shard: undefined } } });
    expect(parseMessage({ sweep: { readSideId: "x", after: "e", shard: 3 } })?.body).toEqual({ sweep: { readSideId: "x", after: "e", shard: 3 } });
  });

  it.each([
    ["null", null],
    ["a string", "hello"],
    ["a missing entity id", { fromRevision: 1, toRevision: 1 }],
    ["a negative revision", { entityId: "a", fromRevision: -1, toRevision: 1 }],
    ["a fractional revision", { entityId: "a", fromRevision: 1.5, toRevision: 2 }],
    ["read side ids that are not strings", { entityId: "a", fromRevision: 1, toRevision: 1, readSideIds: [1] }],
    ["a sweep without a position", { sweep: { readSideId: "x" } }],
    ["a sweep with a bad shard", { sweep: { readSideId: "x", after: "", shard: "3" } }],
    ["carried rows that are not bytes", { entityId: "a", fromRevision: 1, toRevision: 1, events: [{ revision: 1, event: "AQ==", state: "", meta: "" }] }],
  ])("refuses %s", (_what, body) => {
    expect(parseMessage(body)).toBeUndefined();
  });
});
