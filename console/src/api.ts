// Calls to Statehouse's HTTP APIs from the console: the right token per path, errors as ApiError.
import { type Session, loadSession } from "./session.js";

/** An answer other than 2xx, with Statehouse's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The token a path takes: admin paths the admin token, the rest the API token (or the admin one). */
export function tokenFor(path: string, s: Session | undefined = loadSession()): string {
  if (s === undefined) return "";
  const admin = path.startsWith("/admin/") || path === "/metrics";
  return admin ? s.adminToken : s.apiToken || s.adminToken;
}

interface CallInit {
  method?: string;
  body?: unknown;
  session?: Session;
}

/** Sends a request and returns the raw response, 2xx or throws ApiError. */
export async function send(path: string, init: CallInit = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = tokenFor(path, init.session);
  if (token !== "") headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: "no-store",
  });
  if (!res.ok) {
    const text = await res.text();
    let code = `http_${res.status}`;
    let message = text.slice(0, 500) || res.statusText;
    try {
      const j = JSON.parse(text) as { code?: string; message?: string };
      if (typeof j.code === "string") code = j.code;
      if (typeof j.message === "string") message = j.message;
    } catch (cause) {
      // Not JSON (a proxy's page): the text itself is the message.
      if (!(cause instanceof SyntaxError)) throw cause;
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

/** Sends a request and parses its JSON answer. */
export async function call<T>(path: string, init: CallInit = {}): Promise<T> {
  return (await (await send(path, init)).json()) as T;
}

/** A path with its query; undefined and empty values are left out. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s === "" ? path : `${path}?${s}`;
}

/** An error as one line for the page. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
