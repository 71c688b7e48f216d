// Serves a Connect router (Connect binary and JSON, gRPC-Web) from a fetch-style handler.
import type { ConnectRouter, ConnectRouterOptions } from "@connectrpc/connect";
import { createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";

/** Handles a request for one of the router's methods; undefined when the path is not one. */
export type ConnectFetchHandler = (req: Request) => Promise<Response> | undefined;

/** Registers services with `routes` and returns a handler keyed by each method's request path. */
export function createConnectFetchHandler(
  routes: (router: ConnectRouter) => void,
  options: ConnectRouterOptions,
): ConnectFetchHandler {
  const router = createConnectRouter(options);
  routes(router);
  const byPath = new Map(router.handlers.map((h) => [h.requestPath, createFetchHandler(h)]));
  return (req) => byPath.get(new URL(req.url).pathname)?.(req);
}
