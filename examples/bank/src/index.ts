// The bank example's Worker: WriteSideHandlerService over Connect, for Statehouse's Service Binding.
import { create, fromJson, toJson, type JsonObject } from "@bufbuild/protobuf";
import { type Any, StructSchema, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { HandleCommandResponseSchema, HandleEventResponseSchema, WriteSideHandlerService } from "../../../src/gen/chief_of_state/v1/writeside_pb.js";
import { accountFrom, decide, evolve } from "./bank.js";

const router = createConnectRouter();
router.service(WriteSideHandlerService, {
  handleCommand(req) {
    const events = decide(json(req.command, "command"), accountFrom(stateJson(req.priorState)));
    return create(HandleCommandResponseSchema, { events: events.map((e) => anyPack(StructSchema, fromJson(StructSchema, e))) });
  },
  handleEvent(req) {
    const account = evolve(accountFrom(stateJson(req.priorState)), json(req.event, "event"));
    return create(HandleEventResponseSchema, { resultingState: anyPack(StructSchema, fromJson(StructSchema, { ...account })) });
  },
});
const handlers = new Map(router.handlers.map((h) => [h.requestPath, createFetchHandler(h)]));

export default {
  async fetch(req: Request): Promise<Response> {
    const handler = handlers.get(new URL(req.url).pathname);
    return handler ? handler(req) : new Response("not found", { status: 404 });
  },
};

function json(any: Any | undefined, what: string) {
  const struct = any && anyUnpack(any, StructSchema);
  if (struct === undefined) throw new ConnectError(`${what} must be a JSON object (google.protobuf.Struct)`, Code.InvalidArgument);
  return toJson(StructSchema, struct) as JsonObject;
}

function stateJson(any: Any | undefined) {
  const struct = any && anyUnpack(any, StructSchema);
  return struct && toJson(StructSchema, struct);
}
