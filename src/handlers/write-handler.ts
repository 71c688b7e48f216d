// The client for the user's write handler (HandleCommand, HandleEvent) over any supported protocol.
import { create, type Registry } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import type { Config } from "../config/index.js";
import {
  type HandleCommandRequest,
  type HandleCommandResponse,
  HandleCommandResponseSchema,
  type HandleEventRequest,
  type HandleEventResponse,
  HandleEventResponseSchema,
  WriteSideHandlerService,
} from "../gen/chief_of_state/v1/writeside_pb.js";
import { anyFromBase64, anyToBase64, metaToCosJson } from "../payload/index.js";
import { StatehouseError, messageOf } from "../errors.js";
import { createHandlerClient, handlerError } from "./connect-client.js";
import { type FetchFn, createHandlerFetch } from "./handler-fetch.js";
import { postCosHttp } from "./cos-http.js";

/** The write handler as Statehouse calls it. `headers` are the propagated request headers. */
export interface WriteHandler {
  handleCommand(req: HandleCommandRequest, headers: Headers): Promise<HandleCommandResponse>;
  handleEvent(req: HandleEventRequest, headers: Headers): Promise<HandleEventResponse>;
}

const WHAT = "write handler";
const BINDING_BASE_URL = "http://write-handler.internal";

/** Builds the write handler client the configuration names. */
export function createWriteHandler(config: Config, binding: Fetcher | undefined, registry: Registry): WriteHandler {
  const target: FetchFn =
    config.writeHandler.kind === "url"
      ? (input, init) => fetch(input, init)
      : (input, init) => requireBinding(binding).fetch(input, init);
  const fetchFn = createHandlerFetch(target, WHAT);
  const baseUrl = config.writeHandler.kind === "url" ? config.writeHandler.url.replace(/\/+$/, "") : BINDING_BASE_URL;
  const timeoutMs = config.handlerTimeoutMs;

  if (config.writeHandlerProtocol === "cos-http") {
    return {
      async handleCommand(req, headers) {
        const json = await postCosHttp(
          fetchFn,
          `${baseUrl}/v1/writeside/handleCommand`,
          {
            command: anyToBase64(req.command),
            prior_state: anyToBase64(req.priorState),
            prior_event_meta: req.priorEventMeta && metaToCosJson(req.priorEventMeta),
          },
          headers,
          timeoutMs,
          WHAT,
        );
        const events = json.events ?? [];
        if (!Array.isArray(events)) throw garbage("events must be an array");
        return create(HandleCommandResponseSchema, {
          event: json.event == null || json.event === "" ? undefined : readAny(json.event, "event"),
          events: events.map((e, i) => readAny(e, `events[${i}]`)),
        });
      },
      async handleEvent(req, headers) {
        const json = await postCosHttp(
          fetchFn,
          `${baseUrl}/v1/writeside/handleEvent`,
          {
            event: anyToBase64(req.event),
            prior_state: anyToBase64(req.priorState),
            event_meta: req.eventMeta && metaToCosJson(req.eventMeta),
          },
          headers,
          timeoutMs,
          WHAT,
        );
        const state = json.resulting_state ?? json.resultingState;
        return create(HandleEventResponseSchema, {
          resultingState: state == null || state === "" ? undefined : readAny(state, "resulting_state"),
        });
      },
    };
  }

  const client = createHandlerClient(WriteSideHandlerService, {
    protocol: config.writeHandlerProtocol,
    baseUrl,
    fetch: fetchFn,
    timeoutMs,
    registry,
  });
  const guard = <T>(call: Promise<T>): Promise<T> =>
    call.catch((cause: unknown) => {
      throw handlerError(cause, WHAT);
    });
  return {
    handleCommand: (req, headers) => guard(client.handleCommand(req, { headers })),
    handleEvent: (req, headers) => guard(client.handleEvent(req, { headers })),
  };
}

function requireBinding(binding: Fetcher | undefined): Fetcher {
  if (binding === undefined) throw new StatehouseError("unavailable", "no Service Binding named WRITE_HANDLER");
  return binding;
}

function readAny(value: unknown, field: string): Any {
  try {
    return anyFromBase64(value, field);
  } catch (cause) {
    throw garbage(messageOf(cause));
  }
}

function garbage(detail: string): StatehouseError {
  return new StatehouseError("internal", `${WHAT} answered an invalid body: ${detail}`);
}
