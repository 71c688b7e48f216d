// The CoS-HTTP transport: each method's path and JSON from the table, answers and errors read back.
import { create, createRegistry, toBinary } from "@bufbuild/protobuf";
import { AnySchema, StructSchema, anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ReadSideHandlerService } from "../../src/gen/chief_of_state/v1/readside_pb.js";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { WriteSideHandlerService } from "../../src/gen/chief_of_state/v1/writeside_pb.js";
import { findCosHttpRoute } from "../../src/handlers/cos-http-routes.js";
import { createCosHttpTransport } from "../../src/handlers/cos-http-transport.js";
import { createHandlerFetch } from "../../src/handlers/index.js";
import { encodeBase64 } from "../../src/payload/index.js";

const struct = (n: number) => anyPack(StructSchema, create(StructSchema, { fields: { n: { kind: { case: "numberValue", value: n } } } }));
const base64 = (n: number) => encodeBase64(toBinary(AnySchema, struct(n)));

/** A transport whose handler answers `status` and `body`, recording what it was sent. */
function handler(status: number, body: unknown) {
  const sent: { url: string; headers: Headers; body: Record<string, unknown> }[] = [];
  const transport = createCosHttpTransport({
    baseUrl: "http://handler.test/base",
    registry: createRegistry(),
    fetch: createHandlerFetch(async (input, init) => {
      sent.push({ url: String(input), headers: new Headers(init?.headers), body: JSON.parse(String(init?.body)) as Record<string, unknown> });
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    }, "handler"),
  });
  return { transport, sent };
}

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected a failure");
}

describe("CoS-HTTP table", () => {
  it("has a path for every method of both handler services", () => {
    const methods = [...WriteSideHandlerService.methods, ...ReadSideHandlerService.methods];
    expect(methods.map((m) => findCosHttpRoute(m as never)?.path)).toEqual(["/v1/writeside/handleCommand", "/v1/writeside/handleEvent", "/v1/readside/handle"]);
  });
});

describe("CoS-HTTP transport", () => {
  it("posts HandleCommand as CoS JSON with the caller's headers and reads its events", async () => {
    const { transport, sent } = handler(200, { events: [base64(1), base64(2)] });
    const res = await createClient(WriteSideHandlerService, transport).handleCommand(
      { command: struct(0), priorState: struct(9), priorEventMeta: { entityId: "e", revisionNumber: 4 } },
      { headers: { "x-tenant": "initech" } },
    );
    expect(res.events).toEqual([struct(1), struct(2)]);
    expect(sent[0]?.url).toBe("http://handler.test/base/v1/writeside/handleCommand");
    expect(sent[0]?.headers.get("content-type")).toBe("application/json");
    expect(sent[0]?.headers.get("x-tenant")).toBe("initech");
    expect(sent[0]?.body).toMatchObject({ command: base64(0), prior_state: base64(9), prior_event_meta: { entity_id: "e", revision_number: 4 } });
  });

  it("reads HandleEvent's resulting_state", async () => {
    const { transport, sent } = handler(200, { resulting_state: base64(7) });
    const res = await createClient(WriteSideHandlerService, transport).handleEvent({ event: struct(1), priorState: struct(6) });
    expect(res.resultingState).toEqual(struct(7));
    expect(sent[0]?.body).toEqual({ event: base64(1), prior_state: base64(6) });
  });

  it("posts HandleReadSide to /v1/readside/handle and reads an empty answer as unsuccessful, as CoS does", async () => {
    const { transport, sent } = handler(200, {});
    const res = await createClient(ReadSideHandlerService, transport).handleReadSide({ event: struct(1), state: struct(1), readSideId: "rs" });
    expect(res.successful).toBe(false);
    expect(sent[0]?.url).toBe("http://handler.test/base/v1/readside/handle");
    expect(sent[0]?.body).toMatchObject({ event: base64(1), state: base64(1), read_side_id: "rs" });
  });

  it("passes the handler's error code and message through", async () => {
    const { transport } = handler(412, { code: "failed_precondition", message: "insufficient funds" });
    const err = await failure(createClient(WriteSideHandlerService, transport).handleCommand({}));
    expect([err.code, err.rawMessage]).toEqual([Code.FailedPrecondition, "insufficient funds"]);
  });

  it("takes the code from the status when the error body has none", async () => {
    const { transport } = handler(503, { reason: "busy" });
    const err = await failure(createClient(WriteSideHandlerService, transport).handleCommand({}));
    expect([err.code, err.rawMessage]).toEqual([Code.Unavailable, 'HTTP 503: {"reason":"busy"}']);
  });

  it("reports an answer that is not a JSON object as a protocol error with what was sent", async () => {
    const { transport } = handler(200, "[1, 2]");
    const err = await failure(createClient(WriteSideHandlerService, transport).handleCommand({}));
    expect([err.code, err.rawMessage]).toEqual([Code.Internal, "protocol error: not a JSON object: [1, 2]"]);
  });

  it("reports a field that is not a base64 Any as a protocol error", async () => {
    const { transport } = handler(200, { events: ["%%%"] });
    const err = await failure(createClient(WriteSideHandlerService, transport).handleCommand({}));
    expect([err.code, err.rawMessage]).toEqual([Code.Internal, "protocol error: events[0] is not valid base64"]);
  });

  it("refuses a method that has no CoS-HTTP path, without sending anything", async () => {
    const { transport, sent } = handler(200, {});
    const err = await failure(createClient(ChiefOfStateService, transport).getState({ entityId: "e" }));
    expect(err.code).toBe(Code.Unimplemented);
    expect(sent).toHaveLength(0);
  });
});
