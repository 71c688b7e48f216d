// transportFor: every protocol's call has the handler's deadline and fails with a StatehouseError naming it.
import { createRegistry } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { HANDLER_PROTOCOLS } from "../../src/config/index.js";
import { StatehouseError } from "../../src/errors.js";
import { WriteSideHandlerService } from "../../src/gen/chief_of_state/v1/writeside_pb.js";
import { type FetchFn, resolveHandlerTarget, transportFor } from "../../src/handlers/index.js";

/** A fetch that never answers, until the request's signal gives up. */
const silent: FetchFn = (_input, init) =>
  new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));

async function failure(p: Promise<unknown>): Promise<StatehouseError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StatehouseError) return err;
    throw err;
  }
  throw new Error("expected a failure");
}

describe("transportFor", () => {
  for (const protocol of HANDLER_PROTOCOLS) {
    it(`is deadline_exceeded, naming the handler and the timeout, when a ${protocol} handler does not answer`, async () => {
      const target = { name: "write handler", protocol, baseUrl: "http://handler.test", fetch: silent };
      const client = createClient(WriteSideHandlerService, transportFor(target, { timeoutMs: 20, registry: createRegistry() }));
      const err = await failure(client.handleEvent({}));
      expect([err.code, err.message]).toEqual(["deadline_exceeded", "write handler did not answer within 20 ms"]);
    });
  }

  it("makes every call unavailable when the Service Binding is missing", async () => {
    const target = resolveHandlerTarget("read side rs", { kind: "binding", binding: "NO_SUCH_BINDING" }, "connect", {} as Env);
    const client = createClient(WriteSideHandlerService, transportFor(target, { timeoutMs: 1000, registry: createRegistry() }));
    const err = await failure(client.handleEvent({}));
    expect([err.code, err.message]).toEqual(["unavailable", "read side rs is unreachable: no Service Binding named NO_SUCH_BINDING"]);
  });
});
