// `statehouse log tail`: follows the global event log over Server-Sent Events, resuming after a drop.
import { CliError, unreachable } from "./admin-client.mjs";

/** Consecutive failed reconnections, after a drop, before tail gives up (the first connection is not retried). */
const MAX_FAILURES = 10;

/**
 * Prints log entries from `from` (or only new ones), one line each, until `count` were printed or
 * the stream fails for good. A server that cannot be reached at all fails at once (a wrong port is
 * the likely cause, not a restart); after a dropped connection it reconnects from the last entry
 * printed, so no entry is printed twice or skipped.
 * @param {{ baseUrl: string, token: string | undefined, from?: number, type?: string, entity?: string, count?: number, json?: boolean,
 *   out: (s: string) => void, err: (s: string) => void, fetch?: typeof fetch }} o
 * @returns {Promise<void>}
 */
export async function tailLog(o) {
  const doFetch = o.fetch ?? fetch;
  let last = o.from === undefined ? undefined : o.from - 1;
  let printed = 0;
  let failures = 0;
  let connected = false;
  for (;;) {
    const q = new URLSearchParams();
    if (last !== undefined) q.set("from", String(last + 1));
    if (o.type !== undefined) q.set("type", o.type);
    if (o.entity !== undefined) q.set("entity", o.entity);
    const headers = { accept: "text/event-stream" };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let res;
    try {
      res = await doFetch(`${o.baseUrl.replace(/\/+$/, "")}/api/v1/log/stream?${q}`, { headers });
    } catch (cause) {
      if (!connected || ++failures >= MAX_FAILURES) throw unreachable(o.baseUrl, cause);
      await sleep(1000);
      continue;
    }
    if (!res.ok) {
      const text = await res.text();
      let json = {};
      try {
        json = JSON.parse(text);
      } catch {
        // Not Statehouse's JSON error: the status and the text say enough.
      }
      const hint = res.status === 401 ? " (pass --token or set STATEHOUSE_API_TOKEN)" : "";
      throw new CliError(`${json.code ?? `HTTP ${res.status}`}: ${json.message ?? text.slice(0, 200)}${hint}`);
    }
    failures = 0;
    connected = true;
    for await (const msg of readEvents(res.body)) {
      if (msg.event === "error") {
        const e = JSON.parse(msg.data);
        throw new CliError(`${e.code}: ${e.message}`);
      }
      if (msg.event !== "event") continue;
      const entry = JSON.parse(msg.data);
      last = entry.offset;
      o.out(o.json ? JSON.stringify(entry) : `${entry.offset}  ${entry.entity_id}@${entry.revision}  ${entry.event_type}  ${JSON.stringify(entry.event)}`);
      // Leaving the loop ends the reader, which cancels the response body.
      if (o.count !== undefined && ++printed >= o.count) return;
    }
    // The server ended the stream (a deploy, a restart): resume after the last entry printed.
    await sleep(500);
  }
}

/**
 * Server-Sent Events from a response body: each message's `event` (default "message"), `id` and `data`.
 * @param {ReadableStream<Uint8Array> | null} body
 * @returns {AsyncGenerator<{ event: string, id: string | undefined, data: string }>}
 */
async function* readEvents(body) {
  if (body === null) return;
  const decoder = new TextDecoder();
  let buffer = "";
  let msg = { event: "message", id: undefined, data: [] };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line === "") {
        if (msg.data.length > 0) yield { event: msg.event, id: msg.id, data: msg.data.join("\n") };
        msg = { event: "message", id: undefined, data: [] };
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") msg.event = value;
        else if (field === "id") msg.id = value;
        else if (field === "data") msg.data.push(value);
      }
    }
  }
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
