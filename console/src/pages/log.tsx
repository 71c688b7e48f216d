// Log: the global event log filtered by type glob and entity, read from an offset (both ways) and
// followed live with pause and resume.
import { useEffect, useState } from "preact/hooks";
import { call, describeError, withQuery } from "../api.js";
import { useLive } from "../live.js";
import { href } from "../route.js";
import type { LogEntry, LogPage as Page } from "../types.js";
import { ErrorLine } from "../ui/error-line.js";
import { LiveBadge } from "../ui/live-badge.js";
import { LIMIT, type Shown, newerStart, newestStart, olderStart } from "../ui/log-paging.js";

interface Filter {
  type: string;
  entity: string;
}

/** The log page. */
export function LogPage() {
  const [draft, setDraft] = useState<Filter & { from: string }>({ type: "", entity: "", from: "" });
  const [filter, setFilter] = useState<Filter>({ type: "", entity: "" });
  const [from, setFrom] = useState<string>("");
  // Every Apply reads the page again, even with the same filter and offset.
  const [applied, setApplied] = useState(0);
  return (
    <div>
      <form
        class="inline"
        aria-label="Log filter"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ type: draft.type.trim(), entity: draft.entity.trim() });
          setFrom(draft.from.trim());
          setApplied((n) => n + 1);
        }}
      >
        <label for="log-type">Event type (glob)</label>
        <input id="log-type" value={draft.type} placeholder="bank.v1.*" onInput={(e) => setDraft({ ...draft, type: e.currentTarget.value })} />
        <label for="log-entity">Entity id</label>
        <input id="log-entity" value={draft.entity} onInput={(e) => setDraft({ ...draft, entity: e.currentTarget.value })} />
        <label for="log-from">From offset</label>
        <input id="log-from" inputMode="numeric" pattern="[0-9-]*" value={draft.from} placeholder="newest" onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
        <button type="submit">Apply</button>
      </form>
      <LiveLog filter={filter} />
      <Browse filter={filter} from={from} applied={applied} />
    </div>
  );
}

function LiveLog({ filter }: { filter: Filter }) {
  // The server filters both by type and by entity (`type=`, `entity=`).
  const live = useLive<LogEntry>({ path: "/api/v1/log/stream", query: { type: filter.type || undefined, entity: filter.entity || undefined }, keep: 100 });
  const shown = live.items;
  return (
    <section aria-labelledby="live-log-heading">
      <h2 id="live-log-heading">Live</h2>
      <LiveBadge state={live.state} detail={live.detail} paused={live.paused} onToggle={() => live.setPaused(!live.paused)} what="live log" />
      <Entries entries={[...shown].reverse()} label="Live log entries, newest first" empty="No event since the page opened." />
    </section>
  );
}

function Browse({ filter, from, applied }: { filter: Filter; from: string; applied: number }) {
  const [start, setStart] = useState<string>(from);
  const [shown, setShown] = useState<Shown | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [reload, setReload] = useState(0);
  const filtered = filter.type !== "" || filter.entity !== "";
  useEffect(() => setStart(from), [from]);
  useEffect(() => {
    let live = true;
    const load = async (): Promise<Shown> => {
      // Without an offset, the newest page: ask for the head first. A filtered read examines a
      // window of SCAN_WINDOW offsets: start there, so the page shows matches of the newest window.
      let at = start;
      if (at === "") {
        const head = await call<Page>(withQuery("/api/v1/log", { limit: 1 }));
        at = String(newestStart(head, filtered));
      }
      const page = await call<Page>(withQuery("/api/v1/log", { from: at, limit: LIMIT, type: filter.type, entity: filter.entity }));
      return { page, at: /^\d+$/.test(at) ? Number(at) : undefined };
    };
    load().then(
      (s) => live && (setShown(s), setError(undefined)),
      (e: unknown) => live && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [start, filter.type, filter.entity, reload, applied]);
  const page = shown?.page;
  const older = shown === undefined ? undefined : olderStart(shown, filtered);
  const newer = shown === undefined ? undefined : newerStart(shown);
  return (
    <section aria-labelledby="browse-heading">
      <h2 id="browse-heading">Entries</h2>
      <div class="pager" role="group" aria-label="Log pages">
        <button type="button" disabled={older === undefined} onClick={() => setStart(String(older ?? ""))}>
          Older
        </button>
        <button type="button" disabled={newer === undefined} onClick={() => setStart(String(newer ?? ""))}>
          Newer
        </button>
        <button type="button" onClick={() => (start === "" ? setReload((n) => n + 1) : setStart(""))}>
          Newest
        </button>
        <span class="note">{page === undefined ? "" : `head ${page.head}, oldest ${page.first}`}</span>
      </div>
      <ErrorLine error={error} />
      <Entries entries={page?.entries ?? []} label="Log entries" empty="No entry here." />
    </section>
  );
}

function Entries({ entries, label, empty }: { entries: LogEntry[]; label: string; empty: string }) {
  if (entries.length === 0) return <p class="note">{empty}</p>;
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Offset</th>
            <th scope="col">Entity</th>
            <th scope="col">Rev</th>
            <th scope="col">Type</th>
            <th scope="col">Event</th>
            <th scope="col">Appended</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr>
              <td>{e.position ?? e.offset}</td>
              <td>
                <a href={href("entities", e.entity_id)}>{e.entity_id}</a>
              </td>
              <td>{e.revision}</td>
              <td>
                <code>{e.event_type}</code>
              </td>
              <td>
                <code>{e.event_omitted === true ? "(too large for the log)" : JSON.stringify(e.event)}</code>
              </td>
              <td>{e.appended_at}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
