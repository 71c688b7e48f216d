// The port for write handlers built into Statehouse: a table the composition root hands the entity.
import type { WriteHandler } from "../handlers/index.js";
import type { TypeValidation } from "./fold.js";

/** A write handler built into Statehouse, and the type validation its fold runs with. */
export interface BuiltinHandler {
  handler: WriteHandler;
  validation: TypeValidation;
}

/**
 * The write handlers built into Statehouse, as a table the composition root wires in. The
 * entity asks it about every command, whether it names a built-in or not, so a
 * built-in can keep entity ids of its own that no other handler may touch.
 */
export interface BuiltinHandlers {
  /**
   * The handler a command on `entityId` that names `name` (CommandInput.builtin) folds with, or
   * undefined for the configured write handler. Throws invalid_argument for an unknown name, or
   * for an entity id the table keeps for another handler than the one named.
   */
  select(entityId: string, name: string | undefined): BuiltinHandler | undefined;
}
