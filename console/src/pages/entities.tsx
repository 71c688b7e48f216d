// Entities: find one by id, its state (now or at a revision), its journal paged both ways, a diff of
// two revisions, and its live tail.
import { useEffect, useState } from "preact/hooks";
import { call, describeError, withQuery } from "../api.js";
import { diffJson } from "../diff.js";
import { useLive } from "../live.js";
import { href } from "../route.js";
import type { JournalEntry, JournalPage, Meta } from "../types.js";
import { ErrorLine } from "../ui/error-line.js";
import { JsonView } from "../ui/json-view.js";
import { LiveBadge } from "../ui/live-badge.js";

const PAGE = 20;

const entityPath = (id: string) => `/api/v1/entities/${encodeURIComponent(id)}`;

/** The entities page; `id` comes from the route (#/entities/{id}). */
export function EntitiesPage({ id }: { id: string }) {
  const [draft, setDraft] = useState(id);
  useEffect(() => setDraft(id), [id]);
  return (
    <div>
      <form
        class="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          location.hash = href("entities", draft.trim());
        }}
      >
        <label for="entity-id">Entity id</label>
        <input id="entity-id" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder="acct-1" required />
        <button type="submit">Open</button>
      </form>
      <PrefixFinder />
      {id !== "" && <Entity key={id} id={id} />}
    </div>
  );
}

interface FoundPage {
  entities: { entity_id: string; head_revision: number }[];
  next_after: string;
}

/** Entities whose id starts with a prefix (GET /api/v1/entities?prefix=), a page at a time. */
function PrefixFinder() {
  const [prefix, setPrefix] = useState("");
  const [found, setFound] = useState<FoundPage["entities"]>([]);
  const [next, setNext] = useState("");
  const [searched, setSearched] = useState(false);
  const [error, setError] = useState<string>();
  const load = async (after: string) => {
    setError(undefined);
    try {
      const page = await call<FoundPage>(withQuery("/api/v1/entities", { prefix, after: after || undefined, limit: PAGE }));
      setFound((before) => (after === "" ? page.entities : [...before, ...page.entities]));
      setNext(page.next_after);
      setSearched(true);
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section aria-label="Find entities by prefix">
      <form
        class="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void load("");
        }}
      >
        <label for="entity-prefix">Id prefix</label>
        <input id="entity-prefix" value={prefix} onInput={(e) => setPrefix(e.currentTarget.value)} placeholder="acct-" />
        <button type="submit">Find</button>
      </form>
      <ErrorLine error={error} />
      {searched && found.length === 0 && <p>No indexed entity starts with that prefix.</p>}
      {found.length > 0 && (
        <ul class="found-entities">
          {found.map((e) => (
            <li key={e.entity_id}>
              <a href={href("entities", e.entity_id)}>{e.entity_id}</a> (revision {e.head_revision})
            </li>
          ))}
        </ul>
      )}
      {next !== "" && (
        <button type="button" onClick={() => void load(next)}>
          More
        </button>
      )}
    </section>
  );
}

function Entity({ id }: { id: string }) {
  const [head, setHead] = useState<{ state: unknown; meta: Meta } | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    call<{ state: unknown; meta: Meta }>(entityPath(id)).then(setHead, (e: unknown) => setError(describeError(e)));
  }, [id]);
  if (error !== undefined) return <ErrorLine error={error} />;
  if (head === undefined) return <p>Loading…</p>;
  const headRevision = head.meta.revision_number;
  return (
    <div class="entity">
      <h2>
        {id} <small>revision {headRevision}</small>
      </h2>
      <div class="two">
        <JsonView label="Current state" value={head.state} />
        <JsonView label="Meta" value={head.meta} />
      </div>
      <LiveTail id={id} from={headRevision + 1} />
      <Journal id={id} head={headRevision} />
      <StateAt id={id} head={headRevision} />
    </div>
  );
}

function LiveTail({ id, from }: { id: string; from: number }) {
  const live = useLive<JournalEntry>({ path: `${entityPath(id)}/events/stream`, from: String(from), keep: 50 });
  return (
    <section aria-labelledby="tail-heading">
      <h3 id="tail-heading">Live tail</h3>
      <LiveBadge state={live.state} detail={live.detail} paused={live.paused} onToggle={() => live.setPaused(!live.paused)} what="tail" />
      {live.items.length === 0 ? (
        <p class="note">Waiting for revision {from}…</p>
      ) : (
        <ol class="feed" aria-label="Live events">
          {live.items.map((e) => (
            <li>
              <strong>#{e.revision}</strong> <code>{JSON.stringify(e.event)}</code>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Journal({ id, head }: { id: string; head: number }) {
  const [from, setFrom] = useState(Math.max(1, head - PAGE + 1));
  const [page, setPage] = useState<JournalPage | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    call<JournalPage>(withQuery(`${entityPath(id)}/events`, { from, limit: PAGE })).then(
      (p) => (setPage(p), setError(undefined)),
      (e: unknown) => setError(describeError(e)),
    );
  }, [id, from]);
  const first = page?.first_retained_revision ?? 1;
  const last = page?.head_revision ?? head;
  return (
    <section aria-labelledby="journal-heading">
      <h3 id="journal-heading">Journal</h3>
      <div class="pager" role="group" aria-label="Journal pages">
        <button type="button" onClick={() => setFrom(first)} disabled={from <= first}>
          Oldest
        </button>
        <button type="button" onClick={() => setFrom(Math.max(first, from - PAGE))} disabled={from <= first}>
          Older
        </button>
        <button type="button" onClick={() => setFrom(from + PAGE)} disabled={from + PAGE > last}>
          Newer
        </button>
        <button type="button" onClick={() => setFrom(Math.max(first, last - PAGE + 1))} disabled={from + PAGE > last}>
          Newest
        </button>
        <span class="note">
          revisions {from}–{Math.min(last, from + PAGE - 1)} of {last}
        </span>
      </div>
      <ErrorLine error={error} />
      <ol class="journal" aria-label="Journal entries">
        {(page?.events ?? []).map((e) => (
          <li>
            <details>
              <summary>
                <strong>#{e.revision}</strong> <code>{JSON.stringify(e.event)}</code> <span class="note">{e.meta.revision_date ?? ""}</span>
              </summary>
              <div class="three">
                <JsonView label={`Event ${e.revision}`} value={e.event} />
                <JsonView label={`State after ${e.revision}`} value={e.state} />
                <JsonView label="Meta and headers" value={e.meta} />
              </div>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
}

function StateAt({ id, head }: { id: string; head: number }) {
  const [a, setA] = useState(String(Math.max(1, head - 1)));
  const [b, setB] = useState(String(head));
  const [result, setResult] = useState<{ a: unknown; b: unknown } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = async (e: Event) => {
    e.preventDefault();
    try {
      const [sa, sb] = await Promise.all([a, b].map((r) => call<{ state: unknown }>(withQuery(entityPath(id), { revision: r }))));
      setResult({ a: sa?.state, b: sb?.state });
      setError(undefined);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const changes = result === undefined ? [] : diffJson(result.a, result.b);
  return (
    <section aria-labelledby="diff-heading">
      <h3 id="diff-heading">State at a revision, and a diff</h3>
      <form class="inline" onSubmit={load}>
        <label for="rev-a">Revision</label>
        <input id="rev-a" type="number" min="0" max={head} value={a} onInput={(e) => setA(e.currentTarget.value)} />
        <label for="rev-b">compared with</label>
        <input id="rev-b" type="number" min="0" max={head} value={b} onInput={(e) => setB(e.currentTarget.value)} />
        <button type="submit">Show</button>
      </form>
      <ErrorLine error={error} />
      {result !== undefined && (
        <>
          <div class="two">
            <JsonView label={`State at ${a}`} value={result.a} />
            <JsonView label={`State at ${b}`} value={result.b} />
          </div>
          <table class="diff" aria-label={`Changes from ${a} to ${b}`}>
            <thead>
              <tr>
                <th scope="col">Path</th>
                <th scope="col">At {a}</th>
                <th scope="col">At {b}</th>
              </tr>
            </thead>
            <tbody>
              {changes.length === 0 ? (
                <tr>
                  <td colSpan={3}>No difference.</td>
                </tr>
              ) : (
                changes.map((c) => (
                  <tr>
                    <th scope="row">{c.path}</th>
                    <td>
                      <code>{JSON.stringify(c.before) ?? "(absent)"}</code>
                    </td>
                    <td>
                      <code>{JSON.stringify(c.after) ?? "(absent)"}</code>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
