// The one pipeline every handler call goes through: the request sent (signed), the answer read whole and capped, errors named once.
import { StatehouseError, codeFromHttpStatus, messageOf } from "../errors.js";
import type { FetchFn } from "./handler-target.js";
import { readAnswer } from "./read-answer.js";
import { createSigningFetch } from "./signing-fetch.js";

/** A handler's answer, read whole and within MAX_ANSWER_BYTES. */
export interface HandlerAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

/** A handler call: one request out, its answer read whole (see createHandlerFetch). */
export type HandlerFetch = (url: string, init: { method: string; headers: HeadersInit; body?: Uint8Array | string; signal?: AbortSignal }) => Promise<HandlerAnswer>;

const decoder = new TextDecoder();

/**
 * The pipeline of every handler call, whatever its protocol: redirects are not followed (workerd
 * rejects connect-web's `redirect: "error"`, and a handler that redirects is misconfigured); with
 * a secret, the request is signed (Standard Webhooks); a request that never got an answer is
 * unavailable, or the signal's reason when the deadline aborted it; the answer is read whole
 * within its caps (readAnswer), and one that breaks off is unavailable too (connect-es's
 * transports made it unknown, without the handler's name); a non-2xx answer that is not a
 * protocol error body (JSON) fails with its status. The deadline is the caller's `signal`, which
 * bounds the body read as well as the wait for headers.
 */
export function createHandlerFetch(target: FetchFn, what: string, signingSecret?: string): HandlerFetch {
  const send = createSigningFetch(async (input, init) => {
    try {
      return await target(input, { ...init, redirect: "manual" });
    } catch (cause) {
      const signal = init?.signal;
      if (signal?.aborted) throw signal.reason ?? cause;
      throw new StatehouseError("unavailable", `${what} is unreachable: ${messageOf(cause)}`);
    }
  }, signingSecret);
  return async (url, init) => {
    const res = await send(url, init);
    const body = await readAnswer(res, what).catch((cause: unknown) => {
      if (cause instanceof StatehouseError) throw cause;
      if (init.signal?.aborted) throw init.signal.reason ?? cause;
      throw new StatehouseError("unavailable", `${what} broke off its answer: ${messageOf(cause)}`);
    });
    if (!res.ok && !(res.headers.get("content-type") ?? "").includes("json")) {
      const text = decoder.decode(body);
      throw new StatehouseError(codeFromHttpStatus(res.status), `${what} answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`);
    }
    return { status: res.status, headers: res.headers, body };
  };
}
