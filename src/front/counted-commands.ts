// The front door's entity client, counting each command's outcome for GET /metrics.
import type { EntityClient } from "../entity/index.js";
import { StatehouseError } from "../errors.js";
import { countCommand } from "../metrics/index.js";

/** `entities` with every command that reaches an entity counted by outcome: "ok" or its error code. */
export function countedCommands(entities: EntityClient): EntityClient {
  const counted = async <T>(task: Promise<T>): Promise<T> => {
    try {
      const value = await task;
      countCommand("ok");
      return value;
    } catch (cause) {
      countCommand(StatehouseError.from(cause).code);
      throw cause;
    }
  };
  return {
    ...entities,
    processCommand: (input) => counted(entities.processCommand(input)),
    processCommandBytes: (input) => counted(entities.processCommandBytes(input)),
  };
}
