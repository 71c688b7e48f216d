// eskit: registered document types with their schemas, documents with their version history and any
// old version opened, and named consumers with their log positions.
import { useEffect, useState } from "preact/hooks";
import { call, withQuery } from "../api.js";
import { href } from "../route.js";
import { ErrorLine } from "../ui/error-line.js";
import { JsonView } from "../ui/json-view.js";
import { usePoll } from "../ui/use-poll.js";

interface TypeSpec {
  entityType?: string;
  schemaSpec?: { schemaVersion?: string | number; jsonSchema?: string };
}

interface DocHistory {
  id: string;
  events: { version: number; event_type: string; payload: unknown; occured_on?: unknown }[];
}

interface Doc {
  id: string;
  version: number;
  deleted?: boolean;
  document: unknown;
}

interface Consumer {
  consumer_id: string;
  offset?: number;
  position: string;
  updated_at: string;
}

const docsPath = (type: string, id?: string) => `/api/v1/docs/${encodeURIComponent(type)}${id === undefined ? "" : `/${encodeURIComponent(id)}`}`;

/** The eskit page; `arg` is "{type}" or "{type}/{id}" (#/eskit/Project/p1). */
export function EskitPage({ arg }: { arg: string }) {
  const slash = arg.indexOf("/");
  const type = slash === -1 ? arg : arg.slice(0, slash);
  const id = slash === -1 ? "" : arg.slice(slash + 1);
  const [draft, setDraft] = useState(type);
  useEffect(() => setDraft(type), [type]);
  return (
    <div>
      <Types />
      <section aria-labelledby="docs-heading">
        <h2 id="docs-heading">Documents</h2>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            location.hash = href("eskit", draft.trim());
          }}
        >
          <label for="doc-type">Document type</label>
          <input id="doc-type" value={draft} placeholder="Project" onInput={(e) => setDraft(e.currentTarget.value)} required />
          <button type="submit">List</button>
        </form>
        {type !== "" && <Documents key={type} type={type} />}
        {type !== "" && id !== "" && <History key={`${type}/${id}`} type={type} id={id} />}
      </section>
      <Consumers />
    </div>
  );
}

function Types() {
  const types = usePoll(() => call<{ results?: TypeSpec[] }>("/contracts.crudstore.CrudStoreService/ListTypes", { body: { limit: 100 } }), 0);
  const list = types.value?.results ?? [];
  return (
    <section aria-labelledby="types-heading">
      <h2 id="types-heading">Types</h2>
      <ErrorLine error={types.error} />
      {list.length === 0 ? (
        <p class="note">No type registered (documents of unregistered types are kept without a schema).</p>
      ) : (
        <ul class="parked" aria-label="Registered types">
          {list.map((t) => (
            <li>
              <details>
                <summary>
                  <a href={href("eskit", t.entityType ?? "")}>{t.entityType}</a> <span class="note">schema version {String(t.schemaSpec?.schemaVersion ?? "—")}</span>
                </summary>
                <JsonView label={`Schema of ${t.entityType ?? ""}`} value={parseSchema(t.schemaSpec?.jsonSchema)} />
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function parseSchema(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch (cause) {
    if (!(cause instanceof SyntaxError)) throw cause;
    return text;
  }
}

function Documents({ type }: { type: string }) {
  const [after, setAfter] = useState<string[]>([""]);
  const current = after.at(-1) ?? "";
  const page = usePoll(() => call<{ documents: Doc[]; next_after: string | null }>(withQuery(docsPath(type), { after: current, limit: 20 })), 0, [type, current]);
  const docs = page.value?.documents ?? [];
  return (
    <>
      <ErrorLine error={page.error} />
      {docs.length === 0 ? (
        <p class="note">{page.value === undefined ? "Loading…" : `No live ${type} document.`}</p>
      ) : (
        <ul class="docs" aria-label={`${type} documents`}>
          {docs.map((d) => (
            <li>
              <a href={href("eskit", `${type}/${d.id}`)}>{d.id}</a> <span class="note">version {d.version}</span>
            </li>
          ))}
        </ul>
      )}
      <div class="pager" role="group" aria-label="Document pages">
        <button type="button" disabled={after.length < 2} onClick={() => setAfter(after.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={!page.value?.next_after} onClick={() => setAfter([...after, page.value?.next_after ?? ""])}>
          Next
        </button>
      </div>
    </>
  );
}

function History({ type, id }: { type: string; id: string }) {
  const history = usePoll(() => call<DocHistory>(`${docsPath(type, id)}/history`), 0, [type, id]);
  const [version, setVersion] = useState<number | undefined>();
  const doc = usePoll(
    () => (version === undefined ? Promise.resolve(undefined) : call<Doc>(withQuery(docsPath(type, id), { version, deleted: "true" }))),
    0,
    [type, id, version],
  );
  const events = history.value?.events ?? [];
  return (
    <section aria-labelledby="history-heading" class="detail">
      <h3 id="history-heading">
        {type}/{id}: history
      </h3>
      <ErrorLine error={history.error} />
      <div class="table-wrap">
        <table aria-label={`Versions of ${id}`}>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Event</th>
              <th scope="col">Payload (document or merge patch)</th>
              <th scope="col">
                <span class="sr-only">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr aria-current={e.version === version ? "true" : undefined}>
                <td>{e.version}</td>
                <td>
                  <code>{e.event_type}</code>
                </td>
                <td>
                  <code>{JSON.stringify(e.payload)}</code>
                </td>
                <td>
                  <button type="button" onClick={() => setVersion(e.version)} aria-label={`Open version ${e.version}`}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorLine error={doc.error} />
      {doc.value !== undefined && (
        <JsonView label={`${id} at version ${doc.value.version}${doc.value.version < (events.at(-1)?.version ?? 0) ? " (an old version)" : " (the newest)"}${doc.value.deleted ? ", deleted" : ""}`} value={doc.value.document} />
      )}
    </section>
  );
}

function Consumers() {
  const consumers = usePoll(() => call<{ consumers: Consumer[] }>(withQuery("/api/v1/log/consumers", { limit: 100 })), 5000);
  const list = consumers.value?.consumers ?? [];
  return (
    <section aria-labelledby="consumers-heading">
      <h2 id="consumers-heading">Consumers</h2>
      <ErrorLine error={consumers.error} />
      {list.length === 0 ? (
        <p class="note">No named consumer has stored a position.</p>
      ) : (
        <div class="table-wrap">
          <table aria-label="Consumers">
            <thead>
              <tr>
                <th scope="col">Consumer</th>
                <th scope="col">Position</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr>
                  <th scope="row">{c.consumer_id}</th>
                  <td>{c.position}</td>
                  <td>{c.updated_at}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
