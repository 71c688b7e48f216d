// eskit's EventstoreService through the front door: Append, GetEvents, Logs and LogsPoll, with eskit's clients' view of errors.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { EventstoreService } from "../../src/gen/contracts/eventstore/service_pb.js";
import { call, command, connectClient, connectError, freshId } from "../helpers.js";
import { appendAll, brief, eskitEvent, eventstore, freshType, logsUntil, poll } from "./helpers.js";
import { awaitResponseHeaders } from "../support/response-headers.js";

/** The log's head offset now. */
async function head(): Promise<number> {
  return ((await (await call("/api/v1/log?limit=1")).json()) as any).head_offset as number;
}

describe("eskit's EventstoreService", { timeout: 60_000 }, () => {
  it.each(["connect", "connect-json", "grpc-web"] as const)("appends and reads back an originator's events over %s", async (protocol) => {
    const id = freshId("user");
    const client = eventstore(protocol);
    const events = [eskitEvent(id, 1, "User.Created", { name: "Ada" }), eskitEvent(id, 2, "User.Updated", { name: "Ada L." })];
    await appendAll(events, client);

    expect((await client.getEvents({ originator: { id } })).events).toEqual(events);
    expect((await client.getEvents({ originator: { id, version: "1" } })).events).toEqual(events.slice(0, 1));
    expect((await client.getEvents({ originator: { id, version: "7" }, entityType: "User" })).events).toEqual(events);
  });

  it("answers GetEvents for an originator with no events with none", async () => {
    expect((await eventstore().getEvents({ originator: { id: freshId("nobody") } })).events).toEqual([]);
  });

  it("Logs with a selector returns only matching entries, from from_id inclusive, ids as decimal strings", async () => {
    const user = freshType("User");
    const other = freshType("Order");
    const a = freshId("sel-a");
    const b = freshId("sel-b");
    await appendAll([eskitEvent(a, 1, `${user}.Created`), eskitEvent(b, 1, `${other}.Created`), eskitEvent(a, 2, `${user}.Renamed`)]);

    const mine = await logsUntil({ selector: `${user}.*` }, (r) => r.length === 2);
    expect(mine.map((e) => brief(e).slice(1))).toEqual([
      [a, "1", `${user}.Created`],
      [a, "2", `${user}.Renamed`],
    ]);
    const [first, second] = mine.map((e) => Number(e.id));
    expect(String(first)).toBe(mine[0]?.id);
    expect(second).toBeGreaterThan(first as number);

    const from = await eventstore().logs({ fromId: String(second), selector: `${user}.*` });
    expect(from.results.map(brief)).toEqual([brief(mine[1] as never)]);
    const named = await eventstore().logs({ selector: `*.Renamed` });
    expect(named.results.map((e) => e.event?.originator?.id)).toContain(a);
    expect(named.results.every((e) => e.event?.eventType.endsWith(".Renamed"))).toBe(true);
    const exact = await eventstore().logs({ selector: `${other}.Created` });
    expect(exact.results.map((e) => e.event?.originator?.id)).toEqual([b]);
  });

  it("Logs keeps only the pipeline's entity type when pipeline_id is given", async () => {
    const kind = freshType("Pipe");
    const id = freshId("pipe");
    await appendAll([eskitEvent(id, 1, `${kind}.Created`), eskitEvent(freshId("pipe-x"), 1, `${kind}X.Created`)]);
    const got = await logsUntil({ pipelineId: kind, size: 100 }, (r) => r.length >= 1);
    expect(got.map((e) => e.event?.eventType)).toEqual([`${kind}.Created`]);
  });

  it("Logs reads past more non-matching entries than size before the first match (eskit returned nothing)", async () => {
    const noise = freshType("Noise");
    const rare = freshType("Rare");
    const start = (await head()) + 1;
    const n = freshId("noise");
    // 25 of another type, then 10 whose type starts like the selector but has another entity type
    // (eskit's rule: "Rare….Sub" is not "Rare…"), so reads that pre-filter by type must page too.
    const kinds = [...Array(25).fill(`${noise}.Happened`), ...Array(10).fill(`${rare}.Sub.Happened`)] as string[];
    await appendAll(kinds.map((t, i) => eskitEvent(n, i + 1, t)));
    const r = freshId("rare");
    await appendAll([eskitEvent(r, 1, `${rare}.Found`)]);

    // The non-matching entries really are in the log ahead of the match, more than a page of 20.
    const all = await logsUntil({ fromId: String(start), size: 1000 }, (x) => x.some((e) => e.event?.eventType === `${rare}.Found`));
    const at = all.findIndex((e) => e.event?.eventType === `${rare}.Found`);
    expect(all.slice(0, at).filter((e) => e.event?.originator?.id === n)).toHaveLength(35);

    for (const size of [0, 5, 1]) {
      const got = await eventstore().logs({ fromId: String(start), size, selector: `${rare}.*` });
      expect(got.results.map((e) => [e.event?.originator?.id, e.event?.eventType])).toEqual([[r, `${rare}.Found`]]);
    }
  });

  it("maps ordinary Statehouse events into the log as eskit events", async () => {
    const id = freshId("plain");
    expect((await command(id, { command: { events: [{ n: 1, tag: "plain" }] } })).status).toBe(200);
    const got = await logsUntil({ selector: "google.protobuf.Struct", size: 1000 }, (r) => r.some((e) => e.event?.originator?.id === id));
    const e = got.find((x) => x.event?.originator?.id === id)?.event;
    expect(e?.originator?.version).toBe("1");
    expect(e?.eventType).toBe("google.protobuf.Struct");
    expect(JSON.parse(e?.payload ?? "")).toEqual({ n: 1, tag: "plain" });
    expect(Number(e?.occuredOn)).toBeGreaterThan(1_600_000_000);
    expect((await eventstore().getEvents({ originator: { id } })).events).toEqual([e]);
  });

  it("LogsPoll delivers the first event, then the second appended after the stream started, in order", async () => {
    const kind = freshType("Poll");
    const id = freshId("poll");
    await appendAll([eskitEvent(id, 1, `${kind}.Created`)]);
    const [first] = await logsUntil({ selector: `${kind}.*` }, (r) => r.length === 1);
    const stream = poll({ fromId: first?.id, selector: `${kind}.*` }, "grpc-web");
    try {
      const got = await stream.take(1);
      expect(got.map(brief)).toEqual([brief(first as never)]);
      await appendAll([eskitEvent(id, 2, `${kind}.Changed`)]);
      const [second] = await stream.take(1);
      expect(brief(second as never).slice(1)).toEqual([id, "2", `${kind}.Changed`]);
      expect(Number(second?.id)).toBeGreaterThan(Number(first?.id));
    } finally {
      stream.close();
    }
  });

  it.each(["connect", "grpc-web"] as const)("LogsPoll over %s sends its response headers before any entry, so a client can tell it is polling", async (protocol) => {
    const kind = freshType("Quiet");
    const abort = new AbortController();
    const headers = awaitResponseHeaders();
    const it = eventstore(protocol)
      .logsPoll({ selector: `${kind}.*` }, { signal: abort.signal, onHeader: headers.onHeader })
      [Symbol.asyncIterator]();
    const first = it.next();
    first.catch(() => undefined);
    try {
      // Nothing matches the selector until the headers are seen: without them this waits out the bound.
      const seen = await headers.within(15_000);
      expect(seen, "response headers of a LogsPoll with nothing to deliver yet").toBeInstanceOf(Headers);
      const id = freshId("quiet");
      await appendAll([eskitEvent(id, 1, `${kind}.Created`)]);
      const got = await first;
      expect(got.done).toBe(false);
      expect(got.value?.event?.originator?.id).toBe(id);
    } finally {
      abort.abort();
    }
  }, 40_000);

  it("answers ALREADY_EXISTS for a version already taken, and keeps the first event", async () => {
    const id = freshId("dup");
    await appendAll([eskitEvent(id, 1, "Dup.Created", { v: 1 })]);
    const err = await connectError(() => eventstore().append({ event: eskitEvent(id, 1, "Dup.Created", { v: 2 }) }));
    expect(err.code).toBe(Code.AlreadyExists);
    expect((await eventstore().getEvents({ originator: { id } })).events.map((e) => e.payload)).toEqual(['{"v":1}']);
  });

  it("refuses a payload nested deeper than 50 levels of JSON with INVALID_ARGUMENT naming the limit", async () => {
    const deep = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    const id = freshId("deep");
    await eventstore().append({ event: { ...eskitEvent(id, 1, "Deep.Created"), payload: deep(50) } });
    const err = await connectError(() => eventstore().append({ event: { ...eskitEvent(id, 2, "Deep.Updated"), payload: deep(51) } }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toContain("50");
    expect((await eventstore().getEvents({ originator: { id } })).events.map((e) => e.payload)).toEqual([deep(50)]);
  });

  it("answers a retried Append with the same idempotency-key as the first, storing the event once", async () => {
    const id = freshId("idem");
    const client = connectClient(EventstoreService, { headers: { "idempotency-key": `k-${id}` } });
    const event = eskitEvent(id, 1, "Idem.Created");
    await client.append({ event });
    await client.append({ event });
    expect((await eventstore().getEvents({ originator: { id } })).events).toEqual([event]);
  });

  it("answers FAILED_PRECONDITION naming the next version for a version that would leave a gap", async () => {
    const id = freshId("gap");
    const fresh = await connectError(() => eventstore().append({ event: eskitEvent(id, 2, "Gap.Created") }));
    expect([fresh.code, fresh.rawMessage]).toEqual([Code.FailedPrecondition, expect.stringContaining("the next version is 1")]);
    await appendAll([eskitEvent(id, 1, "Gap.Created")]);
    const err = await connectError(() => eventstore().append({ event: eskitEvent(id, 3, "Gap.Changed") }));
    expect([err.code, err.rawMessage]).toEqual([Code.FailedPrecondition, expect.stringContaining("the next version is 2")]);
    expect((await eventstore().getEvents({ originator: { id } })).events).toHaveLength(1);
  });

  it.each([
    ["no event", {}],
    ["no originator", { event: { eventType: "X.Created", payload: "{}" } }],
    ["no originator id", { event: { originator: { version: "1" }, eventType: "X.Created" } }],
    ["no version", { event: { originator: { id: "bad-input-1" }, eventType: "X.Created" } }],
    ["a version that is not a number", { event: { originator: { id: "bad-input-2", version: "one" }, eventType: "X.Created" } }],
    ["a negative version", { event: { originator: { id: "bad-input-3", version: "-1" }, eventType: "X.Created" } }],
    ["version 0", { event: { originator: { id: "bad-input-4", version: "0" }, eventType: "X.Created" } }],
    ["no event_type", { event: { originator: { id: "bad-input-5", version: "1" } } }],
    ["an event_type with a space", { event: { originator: { id: "bad-input-6", version: "1" }, eventType: "X Created" } }],
    ["an id with a control character", { event: { originator: { id: "bad\u0001id", version: "1" }, eventType: "X.Created" } }],
    ["an id with leading white space", { event: { originator: { id: " padded", version: "1" }, eventType: "X.Created" } }],
    ["an id longer than 256 bytes", { event: { originator: { id: "x".repeat(257), version: "1" }, eventType: "X.Created" } }],
  ])("answers Append with %s with INVALID_ARGUMENT", async (_, req) => {
    const err = await connectError(() => eventstore().append(req));
    expect(err.code).toBe(Code.InvalidArgument);
  });

  it.each([
    ["GetEvents with no originator", () => eventstore().getEvents({})],
    ["GetEvents with a version that is not a number", () => eventstore().getEvents({ originator: { id: "x", version: "2a" } })],
    ["GetEvents with an empty id", () => eventstore().getEvents({ originator: { id: "" } })],
    ["Logs with a from_id that is not a number", () => eventstore().logs({ fromId: "abc" })],
    ["Logs with a negative from_id", () => eventstore().logs({ fromId: "-1" })],
    ["Logs with a size over 1000", () => eventstore().logs({ size: 5000 })],
    ["Logs with a selector of 201 characters", () => eventstore().logs({ selector: "A".repeat(201) })],
  ])("answers %s with INVALID_ARGUMENT", async (_, run) => {
    expect((await connectError(run)).code).toBe(Code.InvalidArgument);
  });

  it("answers LogsPoll with a from_id that is not a number with INVALID_ARGUMENT", async () => {
    const stream = poll({ fromId: "x1" });
    try {
      expect((await connectError(() => stream.take(1))).code).toBe(Code.InvalidArgument);
    } finally {
      stream.close();
    }
  });

  it("answers GET /v1/healtz and Healtz with OK", async () => {
    const res = await call("/v1/healtz", { auth: false });
    expect([res.status, await res.json()]).toEqual([200, { message: "OK" }]);
    expect((await eventstore("connect-json").healtz({})).message).toBe("OK");
  });
});
