// Maps every failure of a Connect service implementation to a ConnectError with the right code, in one place.
import type { ConnectError, Interceptor } from "@connectrpc/connect";
import { StatehouseError, isUnexpected } from "../errors.js";
import { log } from "../log.js";
import { countError } from "../metrics/index.js";

/**
 * Turns whatever a service implementation throws into a ConnectError with the matching code,
 * logging bugs (anything that is neither a StatehouseError nor a ConnectError) with their cause.
 * A server stream's failures after its start (a thrown generator) are mapped the same way.
 */
export const errorInterceptor: Interceptor = (next) => async (req) => {
  try {
    const res = await next(req);
    return res.stream ? { ...res, message: mapStreamErrors(res.message) } : res;
  } catch (cause) {
    throw toConnectError(cause);
  }
};

async function* mapStreamErrors<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (cause) {
    throw toConnectError(cause);
  }
}

/** What errorInterceptor throws for `cause`: for the paths that serve a method without the router. */
export function toConnectError(cause: unknown): ConnectError {
  if (isUnexpected(cause)) log.error("statehouse: unexpected error", { code: "internal", error: cause });
  const err = StatehouseError.from(cause);
  countError(err.code);
  return err.toConnect();
}
