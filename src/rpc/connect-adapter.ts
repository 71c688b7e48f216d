// Serves a Connect router (Connect binary and JSON, gRPC-Web) from a fetch-style handler.
import type { ConnectRouter, ConnectRouterOptions, ContextValues } from "@connectrpc/connect";
import { createConnectRouter } from "@connectrpc/connect";
import { universalServerRequestFromFetch, universalServerResponseToFetch } from "@connectrpc/connect/protocol";

/**
 * Handles a request for one of the router's methods with this request's context values;
 * undefined when the path is not one.
 */
export type ConnectFetchHandler = (req: Request, contextValues: ContextValues) => Promise<Response> | undefined;

/** A handler that serves the requests it can and leaves the rest (undefined) to the router. */
export type FastPath = (req: Request, contextValues: ContextValues) => Promise<Response> | undefined;

/**
 * Registers services with `routes` once and returns a handler keyed by each method's request path.
 * A request path in `fastPaths` is offered to that handler first.
 */
export function createConnectFetchHandler(
  routes: (router: ConnectRouter) => void,
  options: ConnectRouterOptions,
  fastPaths: ReadonlyMap<string, FastPath> = new Map(),
): ConnectFetchHandler {
  const router = createConnectRouter(options);
  routes(router);
  const byPath = new Map(router.handlers.map((h) => [h.requestPath, h]));
  return (req, contextValues) => {
    const path = new URL(req.url).pathname;
    const fast = fastPaths.get(path)?.(req, contextValues);
    if (fast !== undefined) return fast;
    const handler = byPath.get(path);
    if (handler === undefined) return undefined;
    const uReq = { ...universalServerRequestFromFetch(req, {}), contextValues };
    return handler(uReq).then(universalServerResponseToFetch);
  };
}
