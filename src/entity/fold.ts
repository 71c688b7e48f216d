// Turns one command into its committed-to-be events: HandleCommand once, then a chained HandleEvent fold.
import { create } from "@bufbuild/protobuf";
import type { Any, Timestamp } from "@bufbuild/protobuf/wkt";
import { type Header, HeaderSchema, type MetaData, MetaDataSchema } from "../gen/chief_of_state/v1/common_pb.js";
import { HandleCommandRequestSchema, HandleEventRequestSchema } from "../gen/chief_of_state/v1/writeside_pb.js";
import type { WriteHandler } from "../handlers/index.js";
import { anyJsonDepth, checkJsonDepth, decodeBase64Lenient, isEmptyAny, typeNameOf } from "../payload/index.js";
import { StatehouseError } from "../errors.js";
import { inSpan, withTraceHeaders } from "../trace/index.js";

/** Type validation as COS_WRITE_SIDE_PROTO_VALIDATION configures it. */
export interface TypeValidation {
  enabled: boolean;
  stateTypes: ReadonlySet<string>;
  eventTypes: ReadonlySet<string>;
}

/** Everything a fold needs besides the handler. */
export interface FoldInput {
  entityId: string;
  command: Any;
  priorState: Any;
  priorMeta: MetaData;
  revisionDate: Timestamp;
  persistedHeaders: Header[];
  propagatedHeaders: Headers;
  validation: TypeValidation;
}

/** One event with the state it produced and its meta. */
export interface FoldedEvent {
  event: Any;
  state: Any;
  meta: MetaData;
}

/**
 * Runs the command through the handler: HandleCommand returns 0..n events (`events`, or the
 * deprecated `event` when `events` is empty; empty Any values dropped), then each event is folded
 * with HandleEvent onto the state the previous one produced. Nothing is persisted here.
 */
export async function foldCommand(handler: WriteHandler, input: FoldInput): Promise<FoldedEvent[]> {
  // Each handler call is a span of its own, whose traceparent the handler receives whatever the protocol.
  const reply = await inSpan("statehouse.handle_command", undefined, { "statehouse.entity_id": input.entityId }, (span) =>
    handler.handleCommand(
      create(HandleCommandRequestSchema, {
        command: input.command,
        priorState: input.priorState,
        priorEventMeta: input.priorMeta,
      }),
      withTraceHeaders(input.propagatedHeaders, span),
    ),
  );
  let events = reply.events.filter((e) => !isEmptyAny(e));
  if (events.length === 0 && reply.event !== undefined && !isEmptyAny(reply.event)) events = [reply.event];
  // A Struct deeper than the codec reads back would make every later read of the entity fail.
  for (const e of events) checkJsonDepth(anyJsonDepth(e), "the handler's event");
  if (input.validation.enabled) {
    for (const e of events) {
      if (!input.validation.eventTypes.has(typeNameOf(e.typeUrl))) {
        throw new StatehouseError("invalid_argument", `invalid event: ${e.typeUrl}`);
      }
    }
  }

  const folded: FoldedEvent[] = [];
  let state = input.priorState;
  for (const [i, event] of events.entries()) {
    const meta = create(MetaDataSchema, {
      entityId: input.entityId,
      revisionNumber: input.priorMeta.revisionNumber + i + 1,
      revisionDate: input.revisionDate,
      headers: input.persistedHeaders,
    });
    const applied = await inSpan("statehouse.handle_event", undefined, { "statehouse.entity_id": input.entityId, "statehouse.revision": meta.revisionNumber }, (span) =>
      handler.handleEvent(create(HandleEventRequestSchema, { event, priorState: state, eventMeta: meta }), withTraceHeaders(input.propagatedHeaders, span)),
    );
    const resulting = applied.resultingState;
    if (resulting === undefined || isEmptyAny(resulting)) {
      throw new StatehouseError("invalid_argument", "event handler replied with empty state");
    }
    checkJsonDepth(anyJsonDepth(resulting), "the handler's state");
    if (input.validation.enabled && !input.validation.stateTypes.has(typeNameOf(resulting.typeUrl))) {
      throw new StatehouseError("invalid_argument", `invalid state: ${resulting.typeUrl}`);
    }
    folded.push({ event, state: resulting, meta });
    state = resulting;
  }
  return folded;
}

/**
 * Request headers as MetaData headers: a "-bin" header (gRPC's binary convention) is decoded from
 * base64 into bytes_value; any other is a string_value.
 */
export function toMetaHeaders(pairs: readonly [string, string][]): Header[] {
  return pairs.map(([key, value]) => {
    if (key.endsWith("-bin")) {
      const bytes = decodeBase64Lenient(value, `header ${key}`);
      return create(HeaderSchema, { key, value: { case: "bytesValue", value: bytes } });
    }
    return create(HeaderSchema, { key, value: { case: "stringValue", value } });
  });
}
