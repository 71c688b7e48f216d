// Read sides: state, lag and last error; pause, resume, restart and skip (all shards or one), each
// confirmed with the count it touches; parked events with their payload, replay and delete; dead letters.
import { useState } from "preact/hooks";
import { call, describeError, withQuery } from "../api.js";
import { href } from "../route.js";
import type { Cursor, DeadLetter, JournalPage, Parked, ReadSide, ReadSideStatus, ShardOffset } from "../types.js";
import { Confirm } from "../ui/confirm.js";
import { ErrorLine } from "../ui/error-line.js";
import { JsonView } from "../ui/json-view.js";
import { usePoll } from "../ui/use-poll.js";

const REFRESH_MS = 3000;
const rsPath = (id: string) => `/admin/v1/read-sides/${encodeURIComponent(id)}`;
const n = (x: number) => x.toLocaleString("en");

/** The read sides page; `id` (#/read-sides/{id}) opens one. */
export function ReadSidesPage({ id }: { id: string }) {
  const list = usePoll(() => call<{ read_sides: ReadSideStatus[] }>("/admin/v1/status"), REFRESH_MS);
  return (
    <div>
      <ErrorLine error={list.error} />
      <div class="table-wrap">
        <table aria-label="Read sides">
          <thead>
            <tr>
              <th scope="col">Read side</th>
              <th scope="col">State</th>
              <th scope="col">Entities</th>
              <th scope="col">Lag</th>
              <th scope="col">Retrying</th>
              <th scope="col">Stopped</th>
              <th scope="col">Parked</th>
            </tr>
          </thead>
          <tbody>
            {(list.value?.read_sides ?? []).map((r) => (
              <tr aria-current={r.id === id ? "true" : undefined}>
                <th scope="row">
                  <a href={href("read-sides", r.id)}>{r.id}</a>
                </th>
                <td data-testid={`state-${r.id}`}>{r.state}</td>
                <td>{n(r.entities)}</td>
                <td>{n(r.lag)}</td>
                <td>{r.retrying}</td>
                <td>{r.stopped}</td>
                <td class={r.parked > 0 ? "warn" : ""}>{r.parked}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {id !== "" && <ReadSideDetail key={id} id={id} onChange={list.reload} />}
      <DeadLetters />
    </div>
  );
}

type Action = "pause" | "resume" | "restart" | "skip";

interface Pending {
  action: Action;
  shard?: number;
  entity?: string;
  message: string;
}

function ReadSideDetail({ id, onChange }: { id: string; onChange: () => void }) {
  const status = usePoll(() => call<ReadSideStatus>(`${rsPath(id)}/status`), REFRESH_MS, [id]);
  const spec = usePoll(() => call<ReadSide>(rsPath(id)), 0, [id]);
  const shards = usePoll(() => call<{ offsets: ShardOffset[] }>(`${rsPath(id)}/offsets`), 0, [id]).value?.offsets.length ?? 0;
  const parked = usePoll(() => call<{ parked: Parked[] }>(withQuery(`${rsPath(id)}/parked`, { limit: 100 })), REFRESH_MS, [id]);
  const [shard, setShard] = useState("");
  const [pending, setPending] = useState<Pending | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();

  const reload = () => {
    status.reload();
    spec.reload();
    parked.reload();
    onChange();
  };

  /** Works out what an action will touch, so the confirmation can say it before anything happens. */
  const prepare = async (action: Action, entity?: string) => {
    setError(undefined);
    setDone(undefined);
    const s = shard === "" ? undefined : Number(shard);
    const scope = s === undefined ? `every shard of ${id}` : `shard ${s} of ${id}`;
    try {
      let message: string;
      if (action === "restart") {
        const offsets = await call<{ offsets: ShardOffset[] }>(withQuery(`${rsPath(id)}/offsets`, { shard: s }));
        const events = offsets.offsets.reduce((a, o) => a + o.offset, 0);
        message = `Restart replays ${n(events)} events to ${id}${s === undefined ? "" : ` (shard ${s})`}: its handler sees them again from the start.`;
      } else if (action === "skip") {
        const failing = entity !== undefined ? 1 : (await call<{ cursors: Cursor[] }>(withQuery(`${rsPath(id)}/cursors`, { shard: s, failing: "true", limit: 1000 }))).cursors.length;
        message = `Skip moves ${n(failing)} failing ${failing === 1 ? "entity" : "entities"} past ${failing === 1 ? "its" : "their"} failing event${entity !== undefined ? ` (${entity})` : ` on ${scope}`}, parking ${failing === 1 ? "it" : "them"} for replay.`;
      } else if (action === "pause") {
        const st = status.value;
        message = `Pause stops deliveries on ${scope}${st === undefined ? "" : ` (${n(st.entities)} entities; events keep arriving and wait, lag now ${n(st.lag)})`}.`;
      } else {
        const st = status.value;
        message = `Resume restarts deliveries on ${scope}${st === undefined ? "" : `: ${n(st.lag)} events waiting, ${st.stopped} stopped ${st.stopped === 1 ? "entity retries" : "entities retry"}`}.`;
      }
      setPending({ action, shard: s, entity, message });
    } catch (err) {
      setError(describeError(err));
    }
  };

  const run = async (p: Pending) => {
    setPending(undefined);
    try {
      const path = withQuery(`${rsPath(id)}/${p.action}`, { shard: p.shard, entity: p.entity });
      const out = await call<{ skipped?: number }>(path, { method: "POST" });
      setDone(p.action === "skip" ? `Skipped ${out.skipped ?? 0}.` : `${p.action[0]?.toUpperCase()}${p.action.slice(1)}d ${id}.`);
    } catch (err) {
      setError(describeError(err));
    }
    reload();
  };

  const st = status.value;
  return (
    <section aria-labelledby="rs-detail" class="detail">
      <h2 id="rs-detail">{id}</h2>
      <ErrorLine error={status.error ?? spec.error} />
      {st !== undefined && (
        <p>
          State <strong data-testid="rs-state">{st.state}</strong>
          {st.paused_shards.length > 0 && ` (paused shards ${st.paused_shards.join(", ")})`} · lag {n(st.lag)} events · {st.retrying} retrying · {st.stopped} stopped · {st.parked} parked
          {spec.value !== undefined && ` · policy ${String(spec.value.policy ?? "")} · ${String(spec.value.url ?? spec.value.source)}`}
        </p>
      )}
      <div class="inline" role="group" aria-label={`Actions on ${id}`}>
        <label for="rs-shard">Shard</label>
        <select id="rs-shard" value={shard} onChange={(e) => setShard(e.currentTarget.value)}>
          <option value="">all shards</option>
          {Array.from({ length: shards }, (_, i) => (
            <option value={String(i)}>shard {i}</option>
          ))}
        </select>
        {(["pause", "resume", "restart", "skip"] as const).map((a) => (
          <button type="button" class={a === "restart" || a === "skip" ? "danger" : ""} onClick={() => prepare(a)}>
            {a[0]?.toUpperCase()}
            {a.slice(1)}
          </button>
        ))}
      </div>
      {done !== undefined && (
        <p role="status" class="ok">
          {done}
        </p>
      )}
      <ErrorLine error={error} />
      {pending !== undefined && <Confirm message={pending.message} confirmLabel={`Yes, ${pending.action}`} onConfirm={() => run(pending)} onCancel={() => setPending(undefined)} />}
      <h3>Failing entities</h3>
      {st === undefined || st.failing.length === 0 ? (
        <p class="note">None.</p>
      ) : (
        <div class="table-wrap">
          <table aria-label="Failing entities">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">Status</th>
                <th scope="col">At revision</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {st.failing.map((f) => (
                <tr>
                  <th scope="row">
                    <a href={href("entities", f.entity_id)}>{f.entity_id}</a>
                  </th>
                  <td>{f.status}</td>
                  <td>{f.failed_revision}</td>
                  <td>{f.attempts}</td>
                  <td class="wrap">{f.last_error}</td>
                  <td>
                    <button type="button" class="danger" onClick={() => prepare("skip", f.entity_id)} aria-label={`Skip ${f.entity_id} revision ${f.failed_revision}`}>
                      Skip
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ParkedList id={id} parked={parked.value?.parked} error={parked.error} onChange={reload} />
    </section>
  );
}

function ParkedList({ id, parked, error, onChange }: { id: string; parked: Parked[] | undefined; error?: string; onChange: () => void }) {
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

function DeadLetters() {
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
