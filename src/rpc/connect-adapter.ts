// Serves a Connect router (Connect binary and JSON, gRPC-Web) from a fetch-style handler.
import type { ConnectRouter, ConnectRouterOptions, ContextValues } from "@connectrpc/connect";
import { createConnectRouter, createContextValues } from "@connectrpc/connect";
import {
  createAsyncIterable,
  universalServerRequestFromFetch,
  universalServerResponseToFetch,
} from "@connectrpc/connect/protocol";
import { type BinaryForm, binaryFormOf, errorAnswer, malformedRequest } from "./binary-request-check.js";
import { toConnectError } from "./error-interceptor.js";
import { log } from "../log.js";
import { awaitStreamStart } from "./stream-start.js";

/**
 * Handles a request for one of the router's methods with this request's context values;
 * undefined when the path is not one.
 */
export type ConnectFetchHandler = (req: Request, contextValues: ContextValues) => Promise<Response> | undefined;

/** A handler that serves the requests it can and leaves the rest (undefined) to the router. */
export type FastPath = (req: Request, contextValues: ContextValues) => Promise<Response> | undefined;

/**
 * Registers services with `routes` once and returns a handler keyed by each method's request path.
 * A request path in `fastPaths` is offered to that handler first. A binary body that does not
 * parse as the method's request is refused here, for every service, with invalid_argument.
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
    const form = binaryFormOf(req);
    if (form === undefined) return serve(handler, { ...universalServerRequestFromFetch(req, {}), contextValues });
    return serveChecked(handler, req, contextValues, form);
  };
}

type RouterHandler = ConnectRouter["handlers"][number];

/**
 * Runs the handler. connect-es resolves a server stream's response only with its first message;
 * once the implementation announces that the stream started (stream-start.ts), its headers go
 * out at once and the body follows as the messages come.
 */
async function serve(handler: RouterHandler, uReq: Parameters<RouterHandler>[0]): Promise<Response> {
  if (handler.method.methodKind !== "server_streaming") return universalServerResponseToFetch(await handler(uReq));
  const started = awaitStreamStart(uReq.contextValues ?? createContextValues());
  const answer = handler(uReq);
  const first = await Promise.race([answer.then((res) => ({ res })), started.then((header) => ({ header }))]);
  if ("res" in first) return universalServerResponseToFetch(first.res);
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  answer
    .then((res) => universalServerResponseToFetch(res).body?.pipeTo(writable) ?? writable.close())
    .catch((cause: unknown) => {
      // The client went away (the pipe is cancelled) or the stream broke after its start; either way it is over.
      log.info("statehouse: a server stream ended early", { error: cause });
    });
  // Server streams answer 200 in Connect and gRPC-Web alike; their errors travel in the body.
  return new Response(readable, { status: 200, headers: new Headers(first.header) });
}

/**
 * Reads a binary body (connect-es reads it whole too), checks that its messages parse, and hands
 * the same bytes to the handler. connect-es itself would answer internal ("parse binary: …"),
 * outside any interceptor.
 */
async function serveChecked(handler: RouterHandler, req: Request, contextValues: ContextValues, form: BinaryForm): Promise<Response> {
  const body = new Uint8Array(await req.arrayBuffer());
  const problem = malformedRequest(handler.method.input, form, body);
  if (problem !== undefined) return errorAnswer(form, toConnectError(problem));
  const uReq = { httpVersion: "", method: req.method, url: req.url, header: req.headers, body: createAsyncIterable([body]), signal: req.signal, contextValues };
  return serve(handler, uReq);
}
