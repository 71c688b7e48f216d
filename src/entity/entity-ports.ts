// What an entity needs from outside its room, handed in by the composition root.
import type { Config } from "../config/index.js";
import type { BuiltinHandlers } from "./builtins.js";
import type { EventsMessage } from "./outbox.js";

/**
 * What an entity needs from outside its room, handed in by the composition root: the
 * configuration, the queue of its partition, the read sides' low-water mark for compaction, and
 * the table of built-in write handlers.
 */
export interface EntityPorts {
  config(): Config;
  /** The write handlers built into Statehouse that a command may name. */
  builtins: BuiltinHandlers;
  /** Hands a committed range to the events queue of the entity's partition. */
  publish(msg: EventsMessage): Promise<void>;
  /**
   * The lowest revision every enabled, running read side (the log's `$log` included) has handled
   * for the entity; undefined when none is running.
   */
  lowWater(entityId: string): Promise<number | undefined>;
}
