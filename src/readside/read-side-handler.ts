// The client for one read side's handler: HandleReadSide over Connect, gRPC-Web or CoS HTTP, signed.
import type { Registry } from "@bufbuild/protobuf";
import type { ReadSideSpec } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import { type HandleReadSideRequest, ReadSideHandlerService } from "../gen/chief_of_state/v1/readside_pb.js";
import { type FetchFn, createHandlerClient, createHandlerFetch, createSigningFetch, handlerError, postCosHttp } from "../handlers/index.js";
import { anyToBase64, metaToCosJson } from "../payload/index.js";
import { eventTag } from "./shard.js";

/** One delivery: the request plus what the transport needs besides it. */
export interface ReadSideCall {
  request: HandleReadSideRequest;
  shard: number;
  /** Standard Webhooks message id, stable across attempts. */
  webhookId: string;
}

/** A read side's handler. `handle` resolves only on `successful: true`; anything else throws. */
export interface ReadSideHandler {
  handle(call: ReadSideCall): Promise<void>;
}

const BINDING_BASE_URL = "http://read-side.internal";

/** Builds the client for `spec`; a Service Binding is looked up by name in `env`. */
export function createReadSideHandler(spec: ReadSideSpec, env: Env, registry: Registry): ReadSideHandler {
  const what = `read side ${spec.id}`;
  const target: FetchFn =
    spec.target.kind === "url" ? (input, init) => fetch(input, init) : bindingFetch(env, spec.target.binding, what);
  const fetchFn = createSigningFetch(createHandlerFetch(target, what), spec.secret);
  const baseUrl = spec.target.kind === "url" ? spec.target.url : BINDING_BASE_URL;

  if (spec.protocol === "cos-http") {
    return {
      async handle({ request, shard, webhookId }) {
        const headers = new Headers({
          "x-cos-entity-id": request.meta?.entityId ?? "",
          "x-cos-event-tag": eventTag(shard),
          "webhook-id": webhookId,
        });
        const body = {
          event: anyToBase64(request.event),
          state: anyToBase64(request.state),
          meta: request.meta && metaToCosJson(request.meta),
          read_side_id: request.readSideId,
        };
        const json = await postCosHttp(fetchFn, `${baseUrl}/v1/readside/handle`, body, headers, spec.timeoutMs, what);
        if (json.successful !== true) throw unsuccessful(what);
      },
    };
  }

  const client = createHandlerClient(ReadSideHandlerService, {
    protocol: spec.protocol,
    baseUrl,
    fetch: fetchFn,
    timeoutMs: spec.timeoutMs,
    registry,
  });
  return {
    async handle({ request, webhookId }) {
      let successful: boolean;
      try {
        successful = (await client.handleReadSide(request, { headers: { "webhook-id": webhookId } })).successful;
      } catch (cause) {
        throw handlerError(cause, what);
      }
      if (!successful) throw unsuccessful(what);
    },
  };
}

function bindingFetch(env: Env, name: string, what: string): FetchFn {
  return (input, init) => {
    const binding = (env as unknown as Record<string, unknown>)[name] as Partial<Fetcher> | undefined;
    if (typeof binding?.fetch !== "function") {
      throw new StatehouseError("unavailable", `${what}: no Service Binding named ${name}`);
    }
    return binding.fetch(input, init);
  };
}

function unsuccessful(what: string): StatehouseError {
  return new StatehouseError("aborted", `${what} answered successful: false`);
}
