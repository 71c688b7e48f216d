// The Config for an env, parsed once per isolate; a bad configuration answers every request with its error.
import { StatehouseError } from "../errors.js";
import { type Config, type ConfigEnv, parseConfig } from "./config.js";

const cache = new WeakMap<object, Config | StatehouseError>();

/**
 * The Config for this env, parsed once per isolate. A bad configuration is an internal
 * error naming every bad variable, so every request answers it until the configuration is fixed.
 */
export function loadConfig(env: ConfigEnv): Config {
  let entry = cache.get(env);
  if (entry === undefined) {
    const result = parseConfig(env);
    entry = result.ok
      ? result.config
      : new StatehouseError("internal", `invalid configuration: ${result.errors.join("; ")}`);
    cache.set(env, entry);
  }
  if (entry instanceof StatehouseError) throw entry;
  return entry;
}
