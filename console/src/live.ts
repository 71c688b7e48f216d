// Live views over Server-Sent Events: a short-lived stream token in ?access_token= (EventSource sends
// no headers), minted again and resumed from the last id when the stream closes for good.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, withQuery } from "./api.js";

/** Lifetime asked for each stream token; a stream outliving it is reopened with a fresh one. */
const TOKEN_TTL_SECONDS = 3600;

/** What a live view shows about its stream. */
export type LiveState = "connecting" | "live" | "paused" | "retrying";

interface Mint {
  token: string;
  expires_at: string;
}

interface FollowOptions {
  /** The stream path, e.g. /api/v1/log/stream. */
  path: string;
  /** Query besides access_token and from. */
  query?: Record<string, string | undefined>;
  /** The first id wanted (inclusive) when nothing was seen yet; undefined: from now on. */
  from?: string;
  onEvent: (id: string, data: unknown) => void;
  onState: (s: LiveState, detail?: string) => void;
}

/**
 * Follows a stream until the returned function is called. EventSource reconnects by itself with
 * Last-Event-ID; when it gives up (the token expired, the server refused), this mints a new token
 * and reopens after the last id it handed on.
 */
export function follow(opts: FollowOptions): () => void {
  let source: EventSource | undefined;
  let stopped = false;
  let lastId: string | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const open = async () => {
    if (stopped) return;
    opts.onState(failures === 0 ? "connecting" : "retrying");
    let mint: Mint;
    try {
      mint = await call<Mint>("/api/v1/stream-tokens", { body: { ttl_seconds: TOKEN_TTL_SECONDS } });
    } catch (err) {
      return retry(err instanceof Error ? err.message : String(err));
    }
    if (stopped) return;
    const from = lastId !== undefined ? nextId(lastId) : opts.from;
    const es = new EventSource(withQuery(opts.path, { ...opts.query, from, access_token: mint.token }));
    source = es;
    es.onopen = () => {
      failures = 0;
      opts.onState("live");
    };
    es.addEventListener("event", (e) => {
      const m = e as MessageEvent<string>;
      lastId = m.lastEventId;
      opts.onEvent(m.lastEventId, JSON.parse(m.data));
    });
    es.addEventListener("state", (e) => {
      const m = e as MessageEvent<string>;
      opts.onEvent(m.lastEventId, JSON.parse(m.data));
    });
    es.addEventListener("end", () => {
      es.close();
      retry("the stream ended");
    });
    es.onerror = () => {
      // CONNECTING: EventSource retries by itself (Last-Event-ID). CLOSED: it gave up; start again.
      if (es.readyState === EventSource.CLOSED) retry("the stream closed");
      else opts.onState("retrying", "reconnecting");
    };
  };
  const retry = (why: string) => {
    source?.close();
    if (stopped) return;
    failures++;
    opts.onState("retrying", why);
    timer = setTimeout(open, Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
  };
  void open();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    source?.close();
  };
}

/** The id after a stream id: a whole number plus one; a multi-partition position is resumed as it is. */
function nextId(id: string): string {
  return /^\d+$/.test(id) ? String(Number(id) + 1) : id;
}

/** A live list of a stream's events (newest last, at most `keep`), with pause and resume. */
export function useLive<T>(opts: { path: string | undefined; query?: Record<string, string | undefined>; from?: string; keep?: number }) {
  const [items, setItems] = useState<T[]>([]);
  const [state, setState] = useState<LiveState>("connecting");
  const [detail, setDetail] = useState<string | undefined>();
  const [paused, setPaused] = useState(false);
  const keep = opts.keep ?? 200;
  const key = JSON.stringify([opts.path, opts.query, opts.from]);
  const lastRef = useRef<string | undefined>(undefined);
  useEffect(() => {
    lastRef.current = undefined;
    setItems([]);
  }, [key]);
  useEffect(() => {
    if (opts.path === undefined) return undefined;
    if (paused) {
      setState("paused");
      return undefined;
    }
    // Resuming after a pause starts after the last event shown, so nothing is lost or repeated.
    const from = lastRef.current !== undefined ? nextId(lastRef.current) : opts.from;
    return follow({
      path: opts.path,
      query: opts.query,
      from,
      onEvent: (id, data) => {
        lastRef.current = id;
        setItems((xs) => [...xs, data as T].slice(-keep));
      },
      onState: (s, d) => {
        setState(s);
        setDetail(d);
      },
    });
  }, [key, paused]);
  return { items, state, detail, paused, setPaused, clear: () => setItems([]) };
}
