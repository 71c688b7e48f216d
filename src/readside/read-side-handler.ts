// The client for one read side's handler: HandleReadSide in the read side's protocol, signed when it has a secret.
import type { Registry } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import type { ReadSideSpec } from "../config/index.js";
import { StatehouseError } from "../errors.js";
import { type HandleReadSideRequest, ReadSideHandlerService } from "../gen/chief_of_state/v1/readside_pb.js";
import { resolveHandlerTarget, transportFor } from "../handlers/index.js";
import { eventTag } from "../partition/index.js";
import { type TraceContext, withTraceHeaders } from "../trace/index.js";

/** One delivery: the request plus what the transport needs besides it. */
export interface ReadSideCall {
  request: HandleReadSideRequest;
  shard: number;
  /** Standard Webhooks message id, stable across attempts. */
  webhookId: string;
  /** The delivery's span, sent as `traceparent`/`tracestate` whatever the protocol. */
  trace?: TraceContext;
}

/** A read side's handler. `handle` resolves only on `successful: true`; anything else throws. */
export interface ReadSideHandler {
  handle(call: ReadSideCall): Promise<void>;
}

/** Builds the client for `spec`; a Service Binding is looked up by name in `env`. */
export function createReadSideHandler(spec: ReadSideSpec, env: Env, registry: Registry): ReadSideHandler {
  const target = resolveHandlerTarget(`read side ${spec.id}`, spec.target, spec.protocol, env);
  const client = createClient(ReadSideHandlerService, transportFor(target, { timeoutMs: spec.timeoutMs, registry, signingSecret: spec.secret }));
  return {
    async handle({ request, shard, webhookId, trace }) {
      // CoS's read-side headers go with every protocol: they cost nothing and name the event without parsing it.
      const cos = { "webhook-id": webhookId, "x-cos-entity-id": request.meta?.entityId ?? "", "x-cos-event-tag": eventTag(shard) };
      const headers = trace === undefined ? cos : withTraceHeaders(cos, trace);
      const { successful } = await client.handleReadSide(request, { headers });
      if (!successful) throw new StatehouseError("aborted", `${target.name} answered successful: false`);
    },
  };
}
