// Test helpers: requests through the real front door (SELF, unless a file chose other variables) with the test token.
import { type DescService, type JsonObject, type JsonValue, type Registry, fromJson, toJson } from "@bufbuild/protobuf";
import { type Any, StructSchema, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { type Client, ConnectError, type Interceptor, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { typeRegistry } from "../src/payload/index.js";
import { frontDoor } from "./support/front-door.js";

export const TOKEN = "test-token-0123456789abcdef";
export const BASE = "http://statehouse.test";

/** A fetch through the Worker's front door, authenticated unless told otherwise. */
export function call(path: string, init: RequestInit & { auth?: boolean } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.auth !== false && !headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
  return frontDoor().fetch(`${BASE}${path}`, { ...init, headers });
}

/** POSTs a friendly-JSON command and returns status and parsed body. */
export async function command(entityId: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await call(`/api/v1/entities/${encodeURIComponent(entityId)}/commands`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** GETs the friendly-JSON state. */
export async function state(entityId: string, query = "") {
  const res = await call(`/api/v1/entities/${encodeURIComponent(entityId)}${query}`);
  return { status: res.status, body: (await res.json()) as any };
}

let counter = 0;
/** A fresh entity id for one test. */
export function freshId(prefix = "e"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** A Connect client for `service` through the front door (binary by default). */
export function connectClient<S extends DescService>(
  service: S,
  opts: { protocol?: "connect" | "connect-json" | "grpc-web"; token?: string | null; headers?: Record<string, string> } = {},
): Client<S> {
  const token = opts.token === undefined ? TOKEN : opts.token;
  const fetchFn = ((input: RequestInfo | URL, init?: RequestInit) =>
    frontDoor().fetch(input as string, { ...init, redirect: "manual" })) as typeof fetch;
  const interceptors: Interceptor[] = [
    (next) => (req) => {
      if (token !== null) req.header.set("authorization", `Bearer ${token}`);
      for (const [k, v] of Object.entries(opts.headers ?? {})) req.header.set(k, v);
      return next(req);
    },
  ];
  const common = { baseUrl: BASE, fetch: fetchFn, interceptors, jsonOptions: { registry: testRegistry() } };
  const transport =
    opts.protocol === "grpc-web"
      ? createGrpcWebTransport({ ...common, useBinaryFormat: true })
      : createConnectTransport({ ...common, useBinaryFormat: opts.protocol !== "connect-json" });
  return createClient(service, transport);
}

/** The registry the tests' Statehouse uses: well-known types plus test.v1 (test/fixtures/proto). */
export function testRegistry(): Registry {
  return typeRegistry();
}

/** Packs a plain JSON object as google.protobuf.Struct in an Any. */
export function structAny(value: JsonObject): Any {
  return anyPack(StructSchema, fromJson(StructSchema, value));
}

/** Unpacks a Struct Any to plain JSON (undefined if it is not a Struct). */
export function structOf(any: Any | undefined): JsonValue | undefined {
  const s = any && anyUnpack(any, StructSchema);
  return s && toJson(StructSchema, s);
}

/** Runs `fn` expecting a ConnectError and returns it. */
export async function connectError(fn: () => Promise<unknown>): Promise<ConnectError> {
  try {
    await fn();
  } catch (e) {
    return ConnectError.from(e);
  }
  throw new Error("expected a ConnectError, but the call succeeded");
}
