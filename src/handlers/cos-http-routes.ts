// The CoS-HTTP table: each handler method's path, and its request and answer in CoS's JSON.
import type { DescMessage, DescMethod, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { ReadSideHandlerService } from "../gen/chief_of_state/v1/readside_pb.js";
import { WriteSideHandlerService } from "../gen/chief_of_state/v1/writeside_pb.js";
import { anyFromBase64, anyToBase64, metaToCosJson } from "../payload/index.js";

/** One method over CoS-HTTP: where it is POSTed, and its messages as CoS's JSON (snake_case, Any as base64). */
export interface CosHttpRoute<I extends DescMessage = DescMessage, O extends DescMessage = DescMessage> {
  method: DescMethodUnary<I, O>;
  /** Appended to the handler's base URL. */
  path: string;
  /** The request body; undefined fields are left out. */
  encode(request: MessageShape<I>): Record<string, unknown>;
  /** The answer, from a JSON object; throws when a field cannot be read. */
  decode(answer: Record<string, unknown>): MessageInitShape<O>;
}

const { handleCommand, handleEvent } = WriteSideHandlerService.method;
const { handleReadSide } = ReadSideHandlerService.method;

const ROUTES = new Map<DescMethod, CosHttpRoute>(
  [
    route({
      method: handleCommand,
      path: "/v1/writeside/handleCommand",
      encode: (req) => ({
        command: anyToBase64(req.command),
        prior_state: anyToBase64(req.priorState),
        prior_event_meta: req.priorEventMeta && metaToCosJson(req.priorEventMeta),
      }),
      decode: (answer) => {
        const events = answer.events ?? [];
        if (!Array.isArray(events)) throw new Error("events must be an array");
        return { event: optionalAny(answer.event, "event"), events: events.map((e, i) => anyFromBase64(e, `events[${i}]`)) };
      },
    }),
    route({
      method: handleEvent,
      path: "/v1/writeside/handleEvent",
      encode: (req) => ({
        event: anyToBase64(req.event),
        prior_state: anyToBase64(req.priorState),
        event_meta: req.eventMeta && metaToCosJson(req.eventMeta),
      }),
      decode: (answer) => ({ resultingState: optionalAny(answer.resulting_state ?? answer.resultingState, "resulting_state") }),
    }),
    route({
      method: handleReadSide,
      path: "/v1/readside/handle",
      encode: (req) => ({
        event: anyToBase64(req.event),
        state: anyToBase64(req.state),
        meta: req.meta && metaToCosJson(req.meta),
        read_side_id: req.readSideId,
      }),
      // CoS reads anything but `true` (an empty object included) as a failure.
      decode: (answer) => ({ successful: answer.successful === true }),
    }),
  ].map((r) => [r.method, r]),
);

/** The route of `method`, or undefined when CoS-HTTP has no path for it. */
export function findCosHttpRoute<I extends DescMessage, O extends DescMessage>(method: DescMethodUnary<I, O>): CosHttpRoute<I, O> | undefined {
  // The table pairs each method with its own route, so the types match.
  return ROUTES.get(method) as CosHttpRoute<I, O> | undefined;
}

/** Checks a route against its method's types; the table then holds it among routes of other types. */
function route<I extends DescMessage, O extends DescMessage>(r: CosHttpRoute<I, O>): CosHttpRoute {
  return r;
}

/** An Any field that CoS leaves out, sends as null, or sends as an empty string when unset. */
function optionalAny(value: unknown, field: string): Any | undefined {
  return value == null || value === "" ? undefined : anyFromBase64(value, field);
}
