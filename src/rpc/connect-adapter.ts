// Serves a Connect router (Connect binary and JSON, gRPC-Web) from a fetch-style handler.
import type { ConnectRouter, ConnectRouterOptions, ContextValues } from "@connectrpc/connect";
import { createConnectRouter } from "@connectrpc/connect";
import { universalServerRequestFromFetch, universalServerResponseToFetch } from "@connectrpc/connect/protocol";

/**
 * Handles a request for one of the router's methods with this request's context values;
 * undefined when the path is not one.
 */
export type ConnectFetchHandler = (req: Request, contextValues: ContextValues) => Promise<Response> | undefined;

/** Registers services with `routes` once and returns a handler keyed by each method's request path. */
export function createConnectFetchHandler(
  routes: (router: ConnectRouter) => void,
  options: ConnectRouterOptions,
): ConnectFetchHandler {
  const router = createConnectRouter(options);
  routes(router);
  const byPath = new Map(router.handlers.map((h) => [h.requestPath, h]));
  return (req, contextValues) => {
    const handler = byPath.get(new URL(req.url).pathname);
    if (handler === undefined) return undefined;
    const uReq = { ...universalServerRequestFromFetch(req, {}), contextValues };
    return handler(uReq).then(universalServerResponseToFetch);
  };
}
