// The client for the user's write handler (HandleCommand, HandleEvent), in the protocol the configuration names.
import type { Registry } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import type { Config } from "../config/index.js";
import {
  type HandleCommandRequest,
  type HandleCommandResponse,
  type HandleEventRequest,
  type HandleEventResponse,
  WriteSideHandlerService,
} from "../gen/chief_of_state/v1/writeside_pb.js";
import { resolveHandlerTarget } from "./handler-target.js";
import { transportFor } from "./transport-for.js";

/** The write handler as Statehouse calls it. `headers` are the propagated request headers. */
export interface WriteHandler {
  handleCommand(req: HandleCommandRequest, headers: Headers): Promise<HandleCommandResponse>;
  handleEvent(req: HandleEventRequest, headers: Headers): Promise<HandleEventResponse>;
}

/** Builds the write handler client the configuration names; every failure is a StatehouseError. */
export function createWriteHandler(config: Config, env: Env, registry: Registry): WriteHandler {
  const target = resolveHandlerTarget("write handler", config.writeHandler, config.writeHandlerProtocol, env);
  const client = createClient(WriteSideHandlerService, transportFor(target, { timeoutMs: config.handlerTimeoutMs, registry }));
  return {
    handleCommand: (req, headers) => client.handleCommand(req, { headers }),
    handleEvent: (req, headers) => client.handleEvent(req, { headers }),
  };
}
