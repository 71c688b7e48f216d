// The one check every streaming entry point makes first: COS_SUBSCRIPTION_ENABLED.
import { StatehouseError } from "../errors.js";

/** The message every streaming entry point answers with while subscriptions are disabled. */
export const SUBSCRIPTIONS_DISABLED_MESSAGE = "Subscription is not enabled; configure subscription to use streaming";

/** Throws UNIMPLEMENTED unless COS_SUBSCRIPTION_ENABLED is true. */
export function requireSubscriptions(config: { subscriptionEnabled: boolean }): void {
  if (!config.subscriptionEnabled) throw new StatehouseError("unimplemented", SUBSCRIPTIONS_DISABLED_MESSAGE);
}
