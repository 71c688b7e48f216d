// The fetch that every outbound handler call goes through: Service Binding or network, errors named.
import { StatehouseError, codeFromHttpStatus, messageOf } from "../errors.js";
import { limitAnswer } from "./read-answer.js";

/** A fetch function, as a Service Binding's `fetch` or the global one. */
export type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * Wraps a fetch for handler calls: redirects are not followed (workerd rejects connect-web's
 * `redirect: "error"`, and a handler that redirects is misconfigured), and a request that never
 * got an answer becomes unavailable — or deadline_exceeded when it was aborted by the timeout.
 * The answer's size is capped (see limitAnswer); its deadline is the caller's `signal`, which
 * bounds the body read as well as the wait for headers.
 */
export function createHandlerFetch(target: FetchFn, what: string): FetchFn {
  const send = createHandlerRequestFetch(target, what);
  return async (input, init) => {
    const res = limitAnswer(await send(input, init), what);
    // A non-2xx answer that is not a protocol error body (JSON) says nothing the client could parse.
    if (!res.ok && !(res.headers.get("content-type") ?? "").includes("json")) {
      const text = await res.text().catch(() => "");
      throw new StatehouseError(codeFromHttpStatus(res.status), `${what} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
    }
    return res;
  };
}

/**
 * The request half of createHandlerFetch: redirects not followed, a request that never got an
 * answer unavailable (or the signal's reason when the deadline aborted it). The answer is
 * returned as it came; its caller caps its size (limitAnswer, or createBytesClient).
 */
export function createHandlerRequestFetch(target: FetchFn, what: string): FetchFn {
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
