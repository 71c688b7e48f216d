// Server-Sent Events: a pull-driven text/event-stream of events, heartbeat comments, a terminal `error` event.
import { StatehouseError, isUnexpected } from "../errors.js";
import { log } from "../log.js";
import { countError } from "../metrics/index.js";

/** One event of the stream. `data` must be one line (JSON is). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** How to serve a stream. */
export interface SseOptions {
  /** Aborted when the client goes away or the response is cancelled, so the producer stops. */
  abort: AbortController;
  /** A comment line this often keeps proxies from closing an idle stream and reveals a gone client (default 15 s). */
  heartbeatMs?: number;
  headers?: Record<string, string>;
  /**
   * The id of what the client has, for this stream, already seen (the position before its first
   * event). Sent with the opening comment: it sets EventSource's last event ID without an event,
   * so a reconnect before the first event resumes where this stream started rather than "from now on".
   */
  lastEventId?: string;
}

/** Default interval of heartbeat comments. */
export const SSE_HEARTBEAT_MS = 15_000;

const encoder = new TextEncoder();

/**
 * Streams `events` as a text/event-stream response. The next event is produced only when the
 * client has taken the previous one (back-pressure reaches the producer). If the producer throws,
 * the stream ends with `event: error` and `{"code", "message"}`; if the client goes away, the
 * producer is aborted.
 */
export function sseResponse(events: AsyncIterable<SseEvent>, options: SseOptions): Response {
  const it = events[Symbol.asyncIterator]();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  // Set when the client has gone away: a pull still waiting for its next item must then not enqueue
  // (the stream is closed; enqueue throws "Unable to enqueue", which is no error of the stream's).
  let cancelled = false;
  const finish = () => {
    if (heartbeat !== undefined) clearInterval(heartbeat);
    options.abort.abort();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`: stream open\n${options.lastEventId !== undefined ? `id: ${options.lastEventId}\n` : ""}\n`));
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(": heartbeat\n\n")), options.heartbeatMs ?? SSE_HEARTBEAT_MS);
    },
    async pull(controller) {
      try {
        const r = await it.next();
        if (cancelled) return;
        if (r.done === true) {
          // An ended stream says so (Unsubscribe): an EventSource that sees `end` can close instead of reconnecting.
          controller.enqueue(encoder.encode(formatSse({ event: "end", data: "{}" })));
          finish();
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(formatSse(r.value)));
      } catch (cause) {
        if (cancelled) return;
        const err = StatehouseError.from(cause);
        countError(err.code);
        if (isUnexpected(cause)) log.error("statehouse: unexpected error in a stream", { code: err.code, error: cause });
        controller.enqueue(encoder.encode(formatSse({ event: "error", data: JSON.stringify({ code: err.code, message: err.message }) })));
        finish();
        controller.close();
      }
    },
    cancel() {
      cancelled = true;
      // The abort ends a producer that is waiting for its next item; return() alone would queue behind it.
      finish();
      void it.return?.();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...options.headers },
  });
}

/** One event in the wire format. */
export function formatSse(e: SseEvent): string {
  return `${e.id !== undefined ? `id: ${e.id}\n` : ""}event: ${e.event}\ndata: ${e.data}\n\n`;
}

/** Where an SSE stream starts and what it answers to, read once from its request. */
export interface SseStart {
  /** The first position wanted: right after Last-Event-ID when a client resumes, else `from` (0: from now on). */
  from: number;
  /** Whether the client resumed with Last-Event-ID. */
  resumed: boolean;
  subscriptionId: string;
  /** Aborted when the client goes away (and by sseResponse when the stream ends). */
  abort: AbortController;
}

/**
 * Reads an SSE request's start: EventSource resends the last id it saw when it reconnects, so
 * Last-Event-ID wins over `?from=`; `?subscription_id=` names the stream for Unsubscribe (one is
 * generated otherwise). `parse` validates a position (it throws invalid_argument).
 */
export function readSseStart(req: Request, query: (name: string) => string | undefined, parse: (value: string | undefined, field: string) => number | undefined): SseStart {
  const lastEventId = req.headers.get("last-event-id");
  const resume = lastEventId !== null && lastEventId.trim() !== "" ? parse(lastEventId, "Last-Event-ID") : undefined;
  const abort = new AbortController();
  req.signal.addEventListener("abort", () => abort.abort(), { once: true });
  return {
    from: resume !== undefined ? resume + 1 : (parse(query("from"), "from") ?? 0),
    resumed: resume !== undefined,
    subscriptionId: query("subscription_id") || crypto.randomUUID(),
    abort,
  };
}
