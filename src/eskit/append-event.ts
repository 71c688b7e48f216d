// EventstoreService.Append: an eskit event committed as it came, through the entity's command path with eskit-append.
import { create } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import type { Config } from "../config/index.js";
import type { EntityClient } from "../entity/index.js";
import { type Event, EventSchema } from "../gen/contracts/eventstore/event_pb.js";
import { buildCommandInput } from "../input/index.js";
import { checkAppendEvent } from "./eskit-event.js";

/**
 * Commits `event` at its originator.version through the entity's ordinary command path (journal,
 * outbox, read sides, the log, subscriptions); the idempotency-key and statehouse-expected-revision
 * headers work as on ProcessCommand. A malformed event is invalid_argument before any entity is asked.
 */
export async function appendEskitEvent(values: { entities: EntityClient; config: Config }, headers: Headers, event: Event | undefined): Promise<void> {
  const target = checkAppendEvent(event);
  const command = anyPack(EventSchema, event ?? create(EventSchema));
  const input = buildCommandInput({ entityId: target.entityId, command, headers, options: { in: "headers" } }, values.config);
  await values.entities.processCommand({ ...input, builtin: "eskit-append" });
}
