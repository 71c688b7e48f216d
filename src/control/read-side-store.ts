// D1 access for read side definitions and their pause state (sh_read_side, sh_read_side_shard_pause): the control plane partitions cache.
import type { FailurePolicy, HandlerProtocol, ReadSideSpec } from "../config/index.js";

/**
 * Where a read side's definition comes from: the admin API, STATEHOUSE_READ_SIDES, or Statehouse
 * itself (the event log's `$log`, which the admin APIs neither show nor change).
 */
export type ReadSideSource = "api" | "config" | "builtin";

/** A stored read side: its definition plus operational state. */
export interface ReadSideRecord {
  spec: ReadSideSpec;
  /** Random per creation: cursors of an earlier read side with the same id never count. */
  generation: string;
  /** When it was created, or last restarted as a whole (epoch ms). */
  startedAt: number;
  paused: boolean;
  pausedShards: number[];
  source: ReadSideSource;
  createdAt: number;
  updatedAt: number;
}

/** A row of READ_SIDES_SQL. */
export type ReadSideRow = {
  id: string;
  generation: string;
  started_at: number;
  paused_shards: string;
  url: string | null;
  binding: string | null;
  protocol: string;
  timeout_ms: number;
  policy: string;
  retries: number;
  backoff_ms: number;
  enabled: number;
  paused: number;
  event_types: string;
  secret: string | null;
  source: string;
  created_at: number;
  updated_at: number;
};

/** Every read side with its paused shards (a JSON array), in one statement. */
export const READ_SIDES_SQL = `SELECT r.*, (SELECT json_group_array(p.shard) FROM sh_read_side_shard_pause p WHERE p.read_side_id = r.id) AS paused_shards
  FROM sh_read_side r`;

/** Reads and writes read side definitions. */
export interface ReadSideStore {
  /** The read sides users manage; with `builtin`, Statehouse's own (`$log`) too. */
  list(options?: { builtin?: boolean }): Promise<ReadSideRecord[]>;
  /** A read side users manage (never a built-in one). */
  get(id: string): Promise<ReadSideRecord | undefined>;
  /** Inserts a new definition; false when the id is taken. */
  insert(spec: ReadSideSpec, source: ReadSideSource, now: number): Promise<boolean>;
  /** Replaces a definition (pause state is kept); false when the id is unknown. */
  update(spec: ReadSideSpec, now: number): Promise<boolean>;
  /** Deletes a definition and its pauses; false when unknown. Its cursors and parked events live in the partitions. */
  remove(id: string): Promise<boolean>;
  /**
   * Starts the read side over as a whole: a new generation (every cursor of the old one reads as
   * fresh, and a delivery that began before cannot commit after) and `started_at` = now.
   */
  regenerate(id: string, now: number): Promise<void>;
  /** Pauses or resumes the whole read side, or one shard of it. */
  setPaused(id: string, paused: boolean, shard?: number): Promise<void>;
}

/** A ReadSideStore over D1. */
export function createReadSideStore(db: D1Database): ReadSideStore {
  return {
    async list(options) {
      const where = options?.builtin === true ? "" : "WHERE r.source != 'builtin'";
      const rows = await db.prepare(`${READ_SIDES_SQL} ${where} ORDER BY r.id`).all<ReadSideRow>();
      return rows.results.map(toRecord);
    },
    async get(id) {
      const row = await db.prepare(`${READ_SIDES_SQL} WHERE r.id = ? AND r.source != 'builtin'`).bind(id).first<ReadSideRow>();
      return row === null ? undefined : toRecord(row);
    },
    async insert(spec, source, now) {
      const res = await db
        .prepare(
          `INSERT INTO sh_read_side (id, url, binding, protocol, timeout_ms, policy, retries, backoff_ms, enabled, paused,
             event_types, secret, source, created_at, updated_at, started_at, generation)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?15, lower(hex(randomblob(8)))) ON CONFLICT (id) DO NOTHING`,
        )
        .bind(...columns(spec), spec.autoStart ? 0 : 1, JSON.stringify(spec.eventTypes), spec.secret ?? null, source, now, now)
        .run();
      return res.meta.changes > 0;
    },
    async update(spec, now) {
      const res = await db
        .prepare(
          `UPDATE sh_read_side SET url = ?2, binding = ?3, protocol = ?4, timeout_ms = ?5, policy = ?6, retries = ?7,
             backoff_ms = ?8, enabled = ?9, event_types = ?10, secret = ?11, updated_at = ?12 WHERE id = ?1`,
        )
        .bind(...columns(spec), JSON.stringify(spec.eventTypes), spec.secret ?? null, now)
        .run();
      return res.meta.changes > 0;
    },
    async remove(id) {
      const results = await db.batch([
        db.prepare("DELETE FROM sh_read_side WHERE id = ?").bind(id),
        db.prepare("DELETE FROM sh_read_side_shard_pause WHERE read_side_id = ?").bind(id),
      ]);
      return (results[0]?.meta.changes ?? 0) > 0;
    },
    async regenerate(id, now) {
      await db.prepare("UPDATE sh_read_side SET generation = lower(hex(randomblob(8))), started_at = ?2, updated_at = ?2 WHERE id = ?1").bind(id, now).run();
    },
    async setPaused(id, paused, shard) {
      if (shard === undefined) {
        await db.batch([
          db.prepare("UPDATE sh_read_side SET paused = ? WHERE id = ?").bind(paused ? 1 : 0, id),
          // Pausing or resuming the whole read side also clears its per-shard pauses.
          db.prepare("DELETE FROM sh_read_side_shard_pause WHERE read_side_id = ?").bind(id),
        ]);
      } else if (paused) {
        await db.prepare("INSERT OR IGNORE INTO sh_read_side_shard_pause (read_side_id, shard) VALUES (?, ?)").bind(id, shard).run();
      } else {
        await db.prepare("DELETE FROM sh_read_side_shard_pause WHERE read_side_id = ? AND shard = ?").bind(id, shard).run();
      }
    },
  };
}

function columns(spec: ReadSideSpec): (string | number | null)[] {
  return [
    spec.id,
    spec.target.kind === "url" ? spec.target.url : null,
    spec.target.kind === "binding" ? spec.target.binding : null,
    spec.protocol,
    spec.timeoutMs,
    spec.policy,
    spec.retries,
    spec.backoffMs,
    spec.enabled ? 1 : 0,
  ];
}

/** A stored read side from its row. */
export function toRecord(r: ReadSideRow): ReadSideRecord {
  return {
    generation: r.generation,
    startedAt: r.started_at,
    spec: {
      id: r.id,
      target: r.url !== null ? { kind: "url", url: r.url } : { kind: "binding", binding: r.binding ?? "" },
      protocol: r.protocol as HandlerProtocol,
      timeoutMs: r.timeout_ms,
      policy: r.policy as FailurePolicy,
      retries: r.retries,
      backoffMs: r.backoff_ms,
      enabled: r.enabled === 1,
      autoStart: true,
      eventTypes: JSON.parse(r.event_types) as string[],
      secret: r.secret ?? undefined,
    },
    paused: r.paused === 1,
    pausedShards: (JSON.parse(r.paused_shards ?? "[]") as number[]).sort((a, b) => a - b),
    source: r.source === "config" || r.source === "builtin" ? r.source : "api",
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
