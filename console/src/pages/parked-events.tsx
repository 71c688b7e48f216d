// A read side's parked events (payload, replay, delete behind a confirmation) and the dead letters.
import { useState } from "preact/hooks";
import { call, describeError, withQuery } from "../api.js";
import type { DeadLetter, JournalPage, Parked } from "../types.js";
import { Confirm } from "../ui/confirm.js";
import { ErrorLine } from "../ui/error-line.js";
import { JsonView } from "../ui/json-view.js";
import { usePoll } from "../ui/use-poll.js";

const REFRESH_MS = 3000;
const rsPath = (id: string) => `/admin/v1/read-sides/${encodeURIComponent(id)}`;

/** The parked events of read side `id`; `onChange` refreshes the page's counts after an action. */
export function ParkedList({ id, parked, error, onChange }: { id: string; parked: Parked[] | undefined; error?: string; onChange: () => void }) {
  const [message, setMessage] = useState<string | undefined>();
  const [failed, setFailed] = useState<string | undefined>();
  const [confirmDelete, setConfirmDelete] = useState<Parked | undefined>();
  const act = async (p: Parked, what: "replay" | "delete") => {
    setMessage(undefined);
    setFailed(undefined);
    try {
      if (what === "replay") await call(`${rsPath(id)}/parked/replay`, { body: { entity_id: p.entity_id, revision: p.revision } });
      else await call(withQuery(`${rsPath(id)}/parked`, { entity: p.entity_id, revision: p.revision }), { method: "DELETE" });
      setMessage(`${what === "replay" ? "Replayed" : "Deleted"} ${p.entity_id}@${p.revision}.`);
    } catch (err) {
      setFailed(describeError(err));
    }
    onChange();
  };
  return (
    <>
      <h3>Parked events</h3>
      <ErrorLine error={error ?? failed} />
      {message !== undefined && (
        <p role="status" class="ok">
          {message}
        </p>
      )}
      {parked === undefined || parked.length === 0 ? (
        <p class="note">None.</p>
      ) : (
        <ul class="parked" aria-label="Parked events">
          {parked.map((p) => (
            <li>
              <details>
                <summary>
                  <strong>
                    {p.entity_id}@{p.revision}
                  </strong>{" "}
                  <span class="wrap">{p.reason}</span> <span class="note">({p.attempts} attempts)</span>
                </summary>
                <ParkedPayload entity={p.entity_id} revision={p.revision} />
              </details>
              <div class="actions">
                <button type="button" onClick={() => act(p, "replay")} aria-label={`Replay ${p.entity_id}@${p.revision}`}>
                  Replay
                </button>
                <button type="button" class="danger" onClick={() => setConfirmDelete(p)} aria-label={`Delete ${p.entity_id}@${p.revision}`}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {confirmDelete !== undefined && (
        <Confirm
          message={`Delete parked event ${confirmDelete.entity_id}@${confirmDelete.revision} from ${id}: 1 event, never delivered to ${id} (the journal keeps it).`}
          confirmLabel="Yes, delete"
          onConfirm={() => {
            const p = confirmDelete;
            setConfirmDelete(undefined);
            void act(p, "delete");
          }}
          onCancel={() => setConfirmDelete(undefined)}
        />
      )}
    </>
  );
}

function ParkedPayload({ entity, revision }: { entity: string; revision: number }) {
  const page = usePoll(() => call<JournalPage>(withQuery(`/api/v1/entities/${encodeURIComponent(entity)}/events`, { from: revision, limit: 1 })), 0, [entity, revision]);
  const e = page.value?.events[0];
  if (page.error !== undefined) return <ErrorLine error={page.error} />;
  if (e === undefined) return <p class="note">{page.value === undefined ? "Loading…" : "No longer in the journal."}</p>;
  return (
    <div class="two">
      <JsonView label="Event" value={e.event} />
      <JsonView label="Meta" value={e.meta} />
    </div>
  );
}

/** Dead letters (pending, or all), each with its body and a replay button. */
export function DeadLetters() {
  const [all, setAll] = useState(false);
  const letters = usePoll(() => call<{ dead_letters: DeadLetter[] }>(withQuery("/admin/v1/dead-letters", { all: all ? "true" : undefined })), REFRESH_MS, [all]);
  const [error, setError] = useState<string | undefined>();
  const replay = async (l: DeadLetter) => {
    try {
      await call(`/admin/v1/dead-letters/${l.id}/replay`, { method: "POST" });
      setError(undefined);
    } catch (err) {
      setError(describeError(err));
    }
    letters.reload();
  };
  const list = letters.value?.dead_letters ?? [];
  return (
    <section aria-labelledby="dead-letters">
      <h2 id="dead-letters">Dead letters</h2>
      <label class="check">
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> include replayed ones
      </label>
      <ErrorLine error={letters.error ?? error} />
      {list.length === 0 ? (
        <p class="note">None.</p>
      ) : (
        <ul class="parked" aria-label="Dead letters">
          {list.map((l) => (
            <li>
              <details>
                <summary>
                  #{l.id} from {l.queue}, {l.attempts} attempts{l.replayed_at !== null ? " (replayed)" : ""}
                </summary>
                <pre>{l.body}</pre>
              </details>
              <button type="button" onClick={() => replay(l)} aria-label={`Replay dead letter ${l.id}`}>
                Replay
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
