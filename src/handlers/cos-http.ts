// Chief of State's HTTP handler protocol: JSON bodies whose Any fields are base64 of the serialized Any.
import { StatehouseError, codeFromHttpStatus, ERROR_CODES, type ErrorCode } from "../errors.js";
import type { FetchFn } from "./handler-fetch.js";

/**
 * POSTs a JSON body to a CoS-HTTP handler and returns its JSON answer. A non-2xx answer becomes
 * an error: the handler's `{code, message}` when it sent one, else the status's code.
 */
export async function postCosHttp(
  fetchFn: FetchFn,
  url: string,
  body: unknown,
  headers: Headers,
  timeoutMs: number,
  what: string,
): Promise<Record<string, unknown>> {
  headers.set("content-type", "application/json");
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await fetchFn(url, { method: "POST", body: JSON.stringify(body), headers, signal });
    text = await res.text();
  } catch (cause) {
    if (signal.aborted) {
      throw new StatehouseError("deadline_exceeded", `${what} did not answer within ${timeoutMs} ms`);
    }
    throw cause instanceof StatehouseError
      ? cause
      : new StatehouseError("unavailable", `${what} is unreachable: ${String(cause)}`);
  }
  const json = parseJson(text);
  if (!res.ok) {
    const err = json as { code?: unknown; message?: unknown } | undefined;
    const code = typeof err?.code === "string" && err.code in ERROR_CODES ? (err.code as ErrorCode) : codeFromHttpStatus(res.status);
    const message =
      typeof err?.message === "string" ? err.message : `${what} answered HTTP ${res.status}: ${text.slice(0, 200)}`;
    throw new StatehouseError(code, message);
  }
  if (json === undefined || typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new StatehouseError("internal", `${what} answered a body that is not a JSON object: ${text.slice(0, 200)}`);
  }
  return json as Record<string, unknown>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the caller reports the raw text.
    return undefined;
  }
}
