// Test helpers: requests through the real front door (SELF) with the test token.
import { SELF } from "cloudflare:test";

export const TOKEN = "test-token-0123456789abcdef";
export const BASE = "http://statehouse.test";

/** A fetch through the Worker's front door, authenticated unless told otherwise. */
export function call(path: string, init: RequestInit & { auth?: boolean } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.auth !== false && !headers.has("authorization")) headers.set("authorization", `Bearer ${TOKEN}`);
  return SELF.fetch(`${BASE}${path}`, { ...init, headers });
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
