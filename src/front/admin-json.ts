// The admin API's JSON: snake_case bodies to the manager's typed values and back.
import { type ReadSidePatch, publicSpecToInput, requireReadSidePatch } from "../config/index.js";
import type { DeadLetter } from "../control/index.js";
import type { ParkedView } from "../partition/index.js";
import type { EntityCursor, ReadSideState, ReadSideStatus, ReadSideView } from "../readside/index.js";

type Json = Record<string, unknown>;

/** A patch from a PATCH body: the path names the read side, so an `id` in the body is ignored. */
export function patchFromJson(body: Json, opts: { allowLocalHttp: boolean }): ReadSidePatch {
  const { id: _pathWins, ...fields } = body;
  return requireReadSidePatch(fields, opts);
}

/** A read side as operators and the CLI read it (never with its secret). */
export function readSideJson(r: ReadSideView): Json {
  return {
    ...publicSpecToInput(r.spec),
    has_secret: r.hasSecret,
    paused: r.paused,
    paused_shards: r.pausedShards,
    source: r.source,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
  };
}

const STATE_NAMES: Record<ReadSideState["kind"], string> = {
  disabled: "disabled",
  paused: "paused",
  stopped: "stopped",
  retrying: "retrying",
  partlyPaused: "partly paused",
  running: "running",
};

/**
 * A status: the state's name, the totals, and the failing entities. `lag_seconds` is how long the
 * oldest event not yet handled has waited since its partition first knew of it (null: caught up,
 * or no lagging entity whose wait is known).
 */
export function statusJson(s: ReadSideStatus, now = Date.now()): Json {
  const waits = Object.values(s.waitingSinceByShard);
  // A lagging shard whose wait is not known may hold the oldest wait of all.
  const unknown = Object.keys(s.lagByShard).some((shard) => s.waitingSinceByShard[Number(shard)] === undefined);
  return {
    id: s.id,
    state: STATE_NAMES[s.state.kind],
    paused_shards: s.pausedShards,
    entities: s.entities,
    lag: s.lag,
    lag_seconds: waits.length === 0 || unknown ? null : secondsSince(Math.min(...waits), now),
    lag_by_shard: Object.entries(s.lagByShard)
      .map(([shard, lag]) => {
        const since = s.waitingSinceByShard[Number(shard)];
        return { shard: Number(shard), lag, lag_seconds: since === undefined ? null : secondsSince(since, now) };
      })
      .sort((a, b) => a.shard - b.shard),
    retrying: s.retrying,
    stopped: s.stopped,
    parked: s.parked,
    failing: s.failing.map((c) => {
      const f = failureJson(c);
      return { entity_id: c.entityId, status: c.state.kind, revision: c.revision, failed_revision: f.failed_revision, attempts: f.attempts, last_error: f.last_error };
    }),
  };
}

/** One entity's cursor. */
export function cursorJson(c: EntityCursor, now = Date.now()): Json {
  const f = failureJson(c);
  return {
    entity_id: c.entityId,
    shard: c.shard,
    revision: c.revision,
    head_revision: c.headRevision,
    lag: c.lag,
    lag_seconds: c.waitingSince === undefined ? null : secondsSince(c.waitingSince, now),
    status: c.state.kind,
    attempts: f.attempts,
    failed_revision: f.failed_revision,
    last_error: f.last_error,
    updated_at: c.updatedAt,
  };
}

/** A parked event. */
export function parkedJson(p: ParkedView): Json {
  return { entity_id: p.entityId, revision: p.revision, reason: p.reason, attempts: p.attempts, parked_at: p.parkedAt };
}

/** A dead letter; `body` is the queue message's JSON text. */
export function deadLetterJson(l: DeadLetter): Json {
  return { id: l.id, queue: l.queue, body: l.body, attempts: l.attempts, received_at: l.receivedAt, replayed_at: l.replayedAt };
}

/** A cursor's failure fields: zero and null for an ok cursor, unless it was resumed from a failure. */
function failureJson(c: EntityCursor): { attempts: number; failed_revision: number; last_error: string | null } {
  const s = c.state;
  if (s.kind !== "ok") return { attempts: s.failure.attempts, failed_revision: s.failure.revision, last_error: s.failure.error };
  return { attempts: 0, failed_revision: s.resumedFrom?.revision ?? 0, last_error: s.resumedFrom?.error ?? null };
}

/** Whole seconds from `since` to `now` (never negative: clocks of two objects may disagree by a little). */
function secondsSince(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}
