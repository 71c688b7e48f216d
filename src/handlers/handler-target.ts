// Resolves where a user's handler lives, Service Binding or URL, once, into a base URL and a fetch.
import type { HandlerProtocol } from "../config/index.js";
import { StatehouseError } from "../errors.js";

/** A fetch function, as a Service Binding's `fetch` or the global one. */
export type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Where a handler lives, as configuration names it. */
export type HandlerLocation = { kind: "url"; url: string } | { kind: "binding"; binding: string };

/** A resolved handler: what every transport needs to reach it. */
export interface HandlerTarget {
  /** How errors name the handler: "write handler", "read side balances". */
  name: string;
  protocol: HandlerProtocol;
  /** The URL the protocol's paths are appended to, without a trailing slash. */
  baseUrl: string;
  /** The network's fetch, or the Service Binding's. */
  fetch: FetchFn;
}

/**
 * Resolves `location` against `env`. A missing Service Binding is not an error here: every call
 * then fails as unavailable, so one misconfigured handler never stops the code that builds it.
 */
export function resolveHandlerTarget(name: string, location: HandlerLocation, protocol: HandlerProtocol, env: Env): HandlerTarget {
  if (location.kind === "url") {
    return { name, protocol, baseUrl: location.url.replace(/\/+$/, ""), fetch: (input, init) => fetch(input, init) };
  }
  const binding = findServiceBinding(env, location.binding);
  return {
    name,
    protocol,
    // A binding ignores the host; naming it after the binding makes the handler's own logs readable.
    baseUrl: `http://${location.binding.toLowerCase().replaceAll("_", "-")}.internal`,
    fetch:
      binding === undefined
        ? () => Promise.reject(new StatehouseError("unavailable", `no Service Binding named ${location.binding}`))
        : (input, init) => binding.fetch(input, init),
  };
}

/** The Service Binding named `name` in `env`, or undefined when there is none (or it is not one). */
export function findServiceBinding(env: Env, name: string): Fetcher | undefined {
  const value: unknown = Reflect.get(env, name);
  return typeof value === "object" && value !== null && typeof Reflect.get(value, "fetch") === "function" ? (value as Fetcher) : undefined;
}
