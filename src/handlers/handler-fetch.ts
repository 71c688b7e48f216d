// The fetch that every outbound handler call goes through: Service Binding or network, errors named.
import { StatehouseError } from "../errors.js";

/** A fetch function, as a Service Binding's `fetch` or the global one. */
export type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * Wraps a fetch for handler calls: redirects are not followed (workerd rejects connect-web's
 * `redirect: "error"`, and a handler that redirects is misconfigured), and a request that never
 * got an answer becomes unavailable — or deadline_exceeded when it was aborted by the timeout.
 */
export function createHandlerFetch(target: FetchFn, what: string): FetchFn {
  return async (input, init) => {
    try {
      return await target(input, { ...init, redirect: "manual" });
    } catch (cause) {
      const signal = init?.signal;
      if (signal?.aborted) throw signal.reason ?? cause;
      throw new StatehouseError("unavailable", `${what} is unreachable: ${messageOf(cause)}`);
    }
  };
}

function messageOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
