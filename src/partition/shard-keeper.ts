// Which shards a partition serves now, the leases of loads in flight, and the steps of a move from either side.
import { log } from "../log.js";
import { type Succession, successionOf } from "./layout.js";
import { type ShardRecord, readShards, writeShard } from "./shard-moves.js";

/** A load's lease lasts at most this long: a batch starts no handler call after 120 s, and a call lasts at most 60 s. */
export const LEASE_MS = 240_000;
/**
 * How far past a load the persisted horizon reaches. It is rewritten only once fewer than LEASE_MS
 * of it are left (at most every HORIZON_MS - LEASE_MS, never per batch), so it always covers every
 * open lease.
 */
export const HORIZON_MS = LEASE_MS + LEASE_MS / 2;
/** How long a partition trusts its copy of the layout history. */
const HISTORY_TTL_MS = 10_000;
const LOADS_UNTIL_KEY = "leases.until";
/** Open leases past which opening one drops the expired ones. */
const LEASES_BEFORE_PRUNE = 1000;

/** Where a shard stands for this partition right now. */
export type Access = "serve" | "wait";

/** What a move step answers: done, or try again after a while (the other side is not ready). */
export type StepResult<T> = { done: true; value: T } | { done: false; retryMs: number; reason: string };

/**
 * Keeps a partition's shard states. Loads take a lease on the shards they read, so the old owner
 * of a moving shard seals it only once every delivery that read it has committed: the new owner
 * then starts from exactly the cursors those commits left, and nothing is delivered twice. Leases
 * live in memory; a partition restarted within HORIZON_MS of its last load waits out the horizon
 * its earlier instance persisted (written at most every LEASE_MS / 2, never per batch).
 */
export class ShardKeeper {
  private history: { counts: number[]; at: number } | undefined;
  private readonly leases = new Map<number, { shards: Set<number>; expires: number }>();
  /**
   * Lease ids are unique across instances of this object: they start from the clock (in
   * thousandths of a millisecond), so a commit of a load an earlier instance leased can never
   * close a lease of this one.
   */
  private nextLease = Date.now() * 1000;
  private shards: Map<number, ShardRecord>;
  private horizonWritten = 0;
  /** Until when loads of earlier instances of this object may still commit (their leases are not in memory). */
  private readonly earlierHorizon: number;

  constructor(
    private readonly sql: SqlStorage,
    private readonly loadHistory: (current: number) => Promise<number[]>,
  ) {
    this.shards = readShards(sql);
    this.earlierHorizon = Number(sql.exec<{ value: string }>("SELECT value FROM p_info WHERE key = ?", LOADS_UNTIL_KEY).toArray()[0]?.value ?? 0);
  }

  /** The layout history, read again when stale or when a caller knows of more partitions. */
  async layouts(current: number, now: number): Promise<number[]> {
    const h = this.history;
    if (h === undefined || now - h.at > HISTORY_TTL_MS || (h.counts.at(-1) ?? 0) < current) {
      const counts = await this.loadHistory(current);
      this.history = { counts, at: now };
      const most = Math.max(...counts);
      if (current > 0 && current < most) {
        // The shards of the partitions beyond `current` would have no owner, and their logs no reader.
        log.error(`statehouse: STATEHOUSE_PARTITIONS is ${current}, but the deployment already ran with ${most}: partitions can only be added; set it back to ${most}`, {
          code: "failed_precondition",
        });
      }
    }
    return (this.history as { counts: number[] }).counts;
  }

  /** How `shard` came to `me` as of the newest layout. */
  succession(history: readonly number[], shard: number, me: number): Succession {
    return successionOf(history, shard, me);
  }

  /**
   * Whether this partition serves each shard now: it must own it in the newest layout and, if it
   * took it over, have finished importing it. Shards it must still import are returned in `imports`.
   */
  access(history: readonly number[], me: number, shards: Iterable<number>): { serve: Set<number>; wait: Set<number>; imports: number[] } {
    const serve = new Set<number>();
    const wait = new Set<number>();
    const imports: number[] = [];
    for (const shard of new Set(shards)) {
      const s = successionOf(history, shard, me);
      const row = this.shards.get(shard);
      const gone = row !== undefined && (row.state === "leaving" || row.state === "sealed" || row.state === "released") && (s.kind === "always" || (s.kind === "from" && row.version >= s.version));
      if (gone) {
        // This partition let the shard go in a layout it has not read yet: its new owner serves it.
        wait.add(shard);
      } else if (s.kind === "always" || (s.kind === "from" && row !== undefined && row.version >= s.version && (row.state === "owned" || row.state === "releasing"))) {
        serve.add(shard);
      } else {
        wait.add(shard);
        if (s.kind === "from") imports.push(shard);
      }
    }
    return { serve, wait, imports };
  }

  /** Opens a lease on the shards a load read; the commit closes it. */
  openLease(shards: Set<number>, now: number): number {
    const id = this.nextLease++;
    // A load whose commit never came (its consumer died) leaves its lease behind: drop the expired
    // ones now and then, so the map stays as large as the loads in flight.
    if (this.leases.size >= LEASES_BEFORE_PRUNE) for (const [old, l] of this.leases) if (l.expires < now) this.leases.delete(old);
    this.leases.set(id, { shards, expires: now + LEASE_MS });
    if (this.horizonWritten < now + LEASE_MS) {
      // Never below what an earlier instance wrote: its loads may still commit until then.
      const horizon = Math.max(now + HORIZON_MS, this.earlierHorizon);
      this.sql.exec("INSERT INTO p_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2", LOADS_UNTIL_KEY, String(horizon));
      this.horizonWritten = horizon;
    }
    return id;
  }

  closeLease(id: number | undefined): void {
    if (id !== undefined) this.leases.delete(id);
  }

  /** Whether a delivery that read `shard` may still commit here. */
  private inFlight(shard: number, now: number): boolean {
    for (const [id, l] of this.leases) {
      if (l.expires < now) this.leases.delete(id);
      else if (l.shards.has(shard)) return true;
    }
    // Loads of an earlier instance of this object are not in memory: wait out their horizon
    // (what it persisted before this instance started, whatever this one has written since).
    return this.earlierHorizon > now;
  }

  /** The shard's row, if any. */
  record(shard: number): ShardRecord | undefined {
    return this.shards.get(shard);
  }

  /** The shards a move is taking to or from this partition right now. */
  moving(): number[] {
    return [...this.shards.values()].filter((r) => r.state === "importing" || r.state === "releasing" || r.state === "leaving" || r.state === "sealed").map((r) => r.shard);
  }

  /** Records a shard's new state. */
  set(r: ShardRecord, now: number): void {
    this.shards.set(r.shard, r);
    writeShard(this.sql, r, now);
  }

  /**
   * The old owner's first step: stop serving `shard` (as of layout `version`, for `to`) and, once
   * no delivery that read it can still commit, seal it at the log's current head.
   */
  seal(shard: number, version: number, to: number, logHead: () => number, now: number): StepResult<{ through: number }> {
    const row = this.shards.get(shard);
    if (row !== undefined && row.version >= version && (row.state === "sealed" || row.state === "released")) {
      return { done: true, value: { through: row.through } };
    }
    if (row === undefined || row.version < version || row.state !== "leaving") {
      this.set({ shard, state: "leaving", version, peer: to, through: 0, after: "" }, now);
      log.info(`statehouse: shard ${shard} is leaving for partition ${to} (layout ${version})`, { shard, partition: to });
    }
    if (this.inFlight(shard, now)) return { done: false, retryMs: 500, reason: `deliveries that read shard ${shard} are still in flight` };
    const through = logHead();
    this.set({ shard, state: "sealed", version, peer: to, through, after: "" }, now);
    return { done: true, value: { through } };
  }

  /** Whether a shard is leaving or gone: loads of its entities must wait for the new owner. */
  leaving(shard: number): boolean {
    const s = this.shards.get(shard)?.state;
    return s === "leaving" || s === "sealed" || s === "released";
  }
}
