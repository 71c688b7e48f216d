// eskit's Event from a Statehouse event: stored eskit events as they came, any other event mapped faithfully.
import { create, fromBinary, type Registry } from "@bufbuild/protobuf";
import { type Any, anyIs } from "@bufbuild/protobuf/wkt";
import { StatehouseError } from "../errors.js";
import type { MetaData } from "../gen/chief_of_state/v1/common_pb.js";
import { type Event, EventSchema } from "../gen/contracts/eventstore/event_pb.js";
import { entityIdProblem } from "../entity/index.js";
import { MAX_JSON_DEPTH, anyToFriendlyJson, checkJsonDepth, jsonTextDepth } from "../payload/index.js";
import { parseDecimal } from "./decimal.js";

/** An eskit event_type: letters, digits, "_", "-" and "." — no glob characters, so selectors stay exact. */
const EVENT_TYPE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;

/** A committed event as every source has it: the entity, its revision, the event and its meta. */
export interface CommittedEvent {
  entityId: string;
  revision: number;
  /** Undefined when neither the log nor the journal still holds it (too large for the log, then compacted). */
  event: Any | undefined;
  /** The log's type for the event. */
  eventType: string;
  meta: MetaData;
}

/** What an Append asks for, once checked: the entity and the revision the event becomes. */
export interface AppendTarget {
  entityId: string;
  version: number;
}

/**
 * Checks an event given to Append: event, originator, originator.id (an entity id), a version
 * (decimal, from 1) and event_type are required; anything missing or malformed, or a JSON payload
 * nested deeper than MAX_JSON_DEPTH, is invalid_argument, before any entity is touched.
 */
export function checkAppendEvent(event: Event | undefined): AppendTarget {
  if (event === undefined) throw new StatehouseError("invalid_argument", "missing event");
  const originator = event.originator;
  if (originator === undefined) throw new StatehouseError("invalid_argument", "missing originator");
  if (originator.id === "") throw new StatehouseError("invalid_argument", "missing originator id");
  const problem = entityIdProblem(originator.id);
  if (problem !== undefined) throw new StatehouseError("invalid_argument", `originator id: ${problem}`);
  const version = parseDecimal(originator.version, "originator.version");
  if (version === undefined) throw new StatehouseError("invalid_argument", "missing originator version");
  if (version < 1) throw new StatehouseError("invalid_argument", "originator.version starts at 1");
  if (event.eventType === "") throw new StatehouseError("invalid_argument", "missing event type");
  if (!EVENT_TYPE.test(event.eventType)) {
    throw new StatehouseError("invalid_argument", 'event_type must be 1 to 200 letters, digits, "_", "-" or ".", such as User.Created');
  }
  checkPayloadDepth(event.payload);
  return { entityId: originator.id, version };
}

/**
 * A JSON payload is held to the depth every other JSON value is, so a reader that turns it into a
 * Struct can; text that is not JSON is eskit's to carry as it is.
 */
function checkPayloadDepth(payload: string): void {
  const depth = jsonTextDepth(payload);
  if (depth > MAX_JSON_DEPTH && isJson(payload)) checkJsonDepth(depth, "the event's payload");
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The eskit Event for a committed event. One appended through eskit (a contracts.eventstore.Event)
 * comes back exactly as it was appended. Any other (an ordinary Statehouse event) is mapped:
 * originator {id: the entity id, version: its revision}, event_type the log's type for it (its
 * fully qualified type name), payload its friendly JSON as a string (a Struct as a plain object, a
 * known type as proto3 JSON with "@type", an unknown one as {"@type", "@bytes"}), occured_on the
 * revision date in Unix seconds. An event no longer held anywhere keeps that mapping with an
 * empty payload rather than ending a read or a stream.
 */
export function toEskitEvent(e: CommittedEvent, registry: Registry): Event {
  if (e.event !== undefined && anyIs(e.event, EventSchema)) return fromBinary(EventSchema, e.event.value);
  return create(EventSchema, {
    originator: { id: e.entityId, version: String(e.revision) },
    eventType: e.eventType,
    payload: e.event === undefined ? "" : JSON.stringify(anyToFriendlyJson(e.event, registry)),
    occuredOn: e.meta.revisionDate?.seconds ?? 0n,
  });
}
