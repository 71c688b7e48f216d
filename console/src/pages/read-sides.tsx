// Read sides: state, lag and last error; pause, resume, restart and skip (all shards or one), each
// confirmed with the count it touches; the parked events and dead letters (parked-events.tsx).
import { useState } from "preact/hooks";
import { call, describeError, withQuery } from "../api.js";
import { href } from "../route.js";
import type { Cursor, Parked, ReadSide, ReadSideStatus, ShardOffset } from "../types.js";
import { Confirm } from "../ui/confirm.js";
import { waited } from "../ui/duration.js";
import { ErrorLine } from "../ui/error-line.js";
import { usePoll } from "../ui/use-poll.js";
import { DeadLetters, ParkedList } from "./parked-events.js";

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
              <th scope="col">Lag (events)</th>
              <th scope="col">Oldest wait</th>
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
                <td data-testid={`wait-${r.id}`}>{waited(r.lag_seconds)}</td>
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

const DONE: Record<Exclude<Action, "skip">, string> = { pause: "Paused", resume: "Resumed", restart: "Restarted" };

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
    // One entity's skip names the entity alone: a shard beside it would refuse an entity outside that shard.
    const s = shard === "" || entity !== undefined ? undefined : Number(shard);
    const scope = s === undefined ? `every shard of ${id}` : `shard ${s} of ${id}`;
    try {
      let message: string;
      if (action === "restart") {
        const offsets = await call<{ offsets: ShardOffset[] }>(withQuery(`${rsPath(id)}/offsets`, { shard: s }));
        const events = offsets.offsets.reduce((a, o) => a + o.offset, 0);
        message = `Restart replays ${n(events)} events to ${id}${s === undefined ? "" : ` (shard ${s})`}: its handler sees them again from the start.`;
      } else if (action === "skip") {
        const failing = entity !== undefined ? 1 : await countFailing(id, s);
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
      setDone(p.action === "skip" ? `Skipped ${out.skipped ?? 0}.` : `${DONE[p.action]} ${id}${p.shard === undefined ? "" : ` (shard ${p.shard})`}.`);
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
          {st.paused_shards.length > 0 && ` (paused shards ${st.paused_shards.join(", ")})`} · lag {n(st.lag)} events (oldest waiting {waited(st.lag_seconds)}) · {st.retrying} retrying · {st.stopped} stopped · {st.parked} parked
          {spec.value !== undefined && ` · policy ${String(spec.value.policy ?? "")} · ${String(spec.value.url ?? spec.value.source)}`}
        </p>
      )}
      {st !== undefined && st.lag_by_shard.length > 0 && (
        <p data-testid="rs-lag-by-shard">
          Lag by shard: {st.lag_by_shard.map((l) => `shard ${l.shard}: ${n(l.lag)} events, oldest waiting ${waited(l.lag_seconds)}`).join(" · ")}
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

/** Failing entities in scope: the status's exact totals for the whole read side, a count of cursors for one shard. */
async function countFailing(id: string, shard: number | undefined): Promise<number> {
  if (shard === undefined) {
    const st = await call<ReadSideStatus>(`${rsPath(id)}/status`);
    return st.retrying + st.stopped;
  }
  let count = 0;
  let after: string | undefined;
  // Bounded: 100 pages of 1,000 cursors (a shard with more failing entities is counted as 100,000).
  for (let page = 0; page < 100; page++) {
    const { cursors } = await call<{ cursors: Cursor[] }>(withQuery(`${rsPath(id)}/cursors`, { shard, failing: "true", limit: 1000, after }));
    count += cursors.length;
    if (cursors.length < 1000) break;
    after = cursors.at(-1)?.entity_id;
  }
  return count;
}
