// The type name the global log files an event under: its Any type name, or an eskit event's own event_type.
import { fromBinary } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { EventSchema } from "../../gen/contracts/eventstore/event_pb.js";
import { log } from "../../log.js";
import { typeNameOf } from "../../payload/index.js";

/**
 * The event type the log stores for `event`, which its type selectors match. An eskit event
 * (contracts.eventstore.Event, as EventstoreService.Append stores it) is filed under its
 * `event_type` ("User.Created"), so eskit's selectors such as `User.*` work; any other event under
 * its fully qualified type name ("bank.v1.Deposited"). An eskit event whose bytes do not decode, or
 * whose event_type is empty, falls back to the type name.
 */
export function logEventType(event: Any): string {
  const name = typeNameOf(event.typeUrl);
  if (name !== EventSchema.typeName) return name;
  try {
    return fromBinary(EventSchema, event.value).eventType || name;
  } catch (cause) {
    log.warn("statehouse: an eskit event does not decode; the log files it under its type name", { error: cause });
    return name;
  }
}

/** Whether `event` is an eskit event (contracts.eventstore.Event), which the log files under its own event_type. */
export function isEskitEvent(event: Any): boolean {
  return typeNameOf(event.typeUrl) === EventSchema.typeName;
}
