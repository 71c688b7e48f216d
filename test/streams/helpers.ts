// Helpers for subscription tests: Connect streams read message by message, SSE parsed from the raw body.
import { ChiefOfStateService, type SubscribeResponse } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { call, command, connectClient } from "../helpers.js";

/** A Subscribe stream read one message at a time; `close()` aborts the request. */
export function subscribe(
  req: { entityId: string; subscriptionId?: string; fromRevision?: number; includeState?: boolean },
  protocol: "connect" | "connect-json" | "grpc-web" = "connect",
) {
  const abort = new AbortController();
  const stream = streamReader(connectClient(ChiefOfStateService, { protocol }).subscribe(req, { signal: abort.signal }));
  return { ...stream, close: () => abort.abort() };
}

/** Any stream read one message at a time. */
export function streamReader<T>(iterable: AsyncIterable<T>) {
  const it = iterable[Symbol.asyncIterator]();
  return {
    /** The next `n` messages (fewer if the stream ends). */
    async take(n: number): Promise<T[]> {
      const out: T[] = [];
      while (out.length < n) {
        const r = await it.next();
        if (r.done === true) break;
        out.push(r.value);
      }
      return out;
    },
    /** Resolves to the next result, done or not. */
    next: () => it.next(),
  };
}

/** Revision numbers of stream messages. */
export const revisions = (msgs: SubscribeResponse[]) => msgs.map((m) => m.meta?.revisionNumber);

/** Commits one command whose events are `events` (the test handler emits them as given). */
export async function commit(entityId: string, events: Record<string, unknown>[]): Promise<void> {
  const res = await command(entityId, { command: { events } });
  if (res.status !== 200) throw new Error(`command failed: ${JSON.stringify(res.body)}`);
}

/** Commits `n` one-event commands {i} from `start`. */
export async function commitEach(entityId: string, start: number, n: number): Promise<void> {
  for (let i = start; i < start + n; i++) await commit(entityId, [{ i }]);
}

/** One parsed Server-Sent Event. */
export interface ParsedSse {
  id?: string;
  event: string;
  data: any;
}

/** Opens the SSE endpoint for an entity; `query` is appended as is. */
export function openSse(entityId: string, query = "", init: RequestInit & { auth?: boolean } = {}) {
  return call(`/api/v1/entities/${encodeURIComponent(entityId)}/events/stream${query}`, init);
}

/** Reads SSE events from a response body, skipping comments; `close()` cancels the body. */
export function sseReader(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const next = async (): Promise<ParsedSse | undefined> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split("\n").filter((l) => !l.startsWith(":"));
        const field = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
        // As EventSource: a block without data (e.g. the opening id) dispatches no event.
        if (field("data") === undefined) continue;
        return { id: field("id"), event: field("event") ?? "message", data: JSON.parse(field("data") ?? "null") };
      }
      const r = await reader.read();
      if (r.done) return undefined;
      buffer += decoder.decode(r.value, { stream: true });
    }
  };
  return {
    next,
    async take(n: number): Promise<ParsedSse[]> {
      const out: ParsedSse[] = [];
      while (out.length < n) {
        const e = await next();
        if (e === undefined) break;
        out.push(e);
      }
      return out;
    },
    close: () => reader.cancel(),
  };
}
