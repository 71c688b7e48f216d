// eskit's ConsumerService through the front door: offsets saved, updated and listed, and a consumer resuming from its offset.
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { connectError, freshId } from "../helpers.js";
import { appendAll, brief, consumers, eskitEvent, freshType, logsUntil, poll } from "./helpers.js";

describe("eskit's ConsumerService", { timeout: 60_000 }, () => {
  it("answers GetLogConsume for a consumer that never saved an offset with NOT_FOUND", async () => {
    const err = await connectError(() => consumers().getLogConsume({ consumerId: freshId("never") }));
    expect(err.code).toBe(Code.NotFound);
  });

  it("saves an offset, updates it, and lists it", async () => {
    const kind = freshType("Saved");
    const id = freshId("saved");
    await appendAll([eskitEvent(id, 1, `${kind}.A`), eskitEvent(id, 2, `${kind}.B`)]);
    const [a, b] = await logsUntil({ selector: `${kind}.*` }, (r) => r.length === 2);
    const consumerId = freshId("billing");

    await consumers().logConsume({ consumerId, offset: a?.id });
    expect(await consumers().getLogConsume({ consumerId })).toMatchObject({ consumerId, offset: a?.id });
    await consumers("grpc-web").logConsume({ consumerId, offset: b?.id });
    expect(await consumers("connect-json").getLogConsume({ consumerId })).toMatchObject({ consumerId, offset: b?.id });
    const listed = (await consumers().list({})).consumers.filter((c) => c.consumerId === consumerId);
    expect(listed.map((c) => [c.consumerId, c.offset])).toEqual([[consumerId, b?.id]]);
  });

  it("a consumer resuming from its saved offset gets only newer events", async () => {
    const kind = freshType("Resume");
    const id = freshId("resume");
    const consumerId = freshId("projector");
    await appendAll([1, 2, 3].map((v) => eskitEvent(id, v, `${kind}.Step`)));
    const firstRun = await logsUntil({ fromId: "1", selector: `${kind}.*` }, (r) => r.length === 3);
    // The first run handled two entries and saved the second one's id.
    await consumers().logConsume({ consumerId, offset: firstRun[1]?.id });
    await appendAll([eskitEvent(id, 4, `${kind}.Step`)]);

    // As eskit's consumer does: resume at the saved offset + 1.
    const saved = Number((await consumers().getLogConsume({ consumerId })).offset);
    const resumed = await logsUntil({ fromId: String(saved + 1), selector: `${kind}.*` }, (r) => r.length === 2);
    expect(resumed.map((e) => e.event?.originator?.version)).toEqual(["3", "4"]);
    expect(resumed[0]?.id).toBe(firstRun[2]?.id);

    const stream = poll({ fromId: String(saved + 1), selector: `${kind}.*` });
    try {
      expect((await stream.take(2)).map(brief)).toEqual(resumed.map(brief));
    } finally {
      stream.close();
    }
  });

  it.each([
    ["an offset that is not a number", "ten"],
    ["a negative offset", "-3"],
    ["no offset", ""],
  ])("answers LogConsume with %s with INVALID_ARGUMENT", async (_, offset) => {
    const err = await connectError(() => consumers().logConsume({ consumerId: freshId("bad"), offset }));
    expect(err.code).toBe(Code.InvalidArgument);
  });

  it("answers LogConsume with an offset past the log's head with OUT_OF_RANGE", async () => {
    const err = await connectError(() => consumers().logConsume({ consumerId: freshId("ahead"), offset: "9000000" }));
    expect(err.code).toBe(Code.OutOfRange);
  });

  it("answers LogConsume without a consumer id with INVALID_ARGUMENT", async () => {
    expect((await connectError(() => consumers().logConsume({ offset: "0" }))).code).toBe(Code.InvalidArgument);
  });

  it("answers Healtz with OK", async () => {
    expect((await consumers().healtz({})).message).toBe("OK");
  });
});
