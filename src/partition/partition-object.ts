// PartitionObject: the central store of one partition — entity rows and cursors, parked events, its slice of the log, its documents.
import { DurableObject } from "cloudflare:workers";
import type { LegacyStore, ReadSideRecord } from "../control/index.js";
import { DOC_INDEX_SCHEMA, type IndexedDoc, listDocuments, recordDocuments } from "../eskit/store/index.js";
import {
  ARCHIVE_SCHEMA,
  LOG_READ_SIDE_ID,
  type ArchiveBucket,
  type ArchivePolicy,
  type LogAppend,
  type LogBarrier,
  type LogQuery,
  type LogRetention,
  type PartitionLog,
  type PartitionLogPage,
  SEGMENT_SCHEMA,
  type SegmentStore,
  createPartitionLog,
  createSegmentStore,
} from "../eventlog/index.js";
import type { Config } from "../config/index.js";
import { StatehouseError, rethrowRemote } from "../errors.js";
import { log } from "../log.js";
import { type CounterDelta, countRows, mergeDeltas } from "../metrics/index.js";
import type { BatchPositions, CommitRequest, CommitResult, EntityHead, Route } from "./batch.js";
import { commitBatch, loadPositions } from "./batch-commit.js";
import {
  type CursorScope,
  type CursorSummary,
  type CursorView,
  type DueRetry,
  dueRetries,
  handledBySide,
  listCursors,
  lowWater,
  offsetsByShard,
  restartScope,
  retryFailing,
  skipFailing,
  summarize,
} from "./cursor-queries.js";
import { type BehindEntity, type IndexedEntity, behind, findByPrefix, indexPage, probePosition, raiseHeads, setProbePosition } from "./entity-index.js";
import { dropFailing } from "./failing.js";
import { type ParkedView, countParked, dropParked, getParked, listParked, parkEvents, removeParked } from "./parked.js";
import { type ReadSideCache, createReadSideCache } from "./read-side-cache.js";
import { PARTITION_SCHEMA, upgradePartitionSchema } from "./schema.js";
import { ShardKeeper, type StepResult } from "./shard-keeper.js";
import { SHARD_SCHEMA, type ShardPage, dropShardRows, exportShardPage, importShardPage } from "./shard-moves.js";
import { type Succession, successionOf } from "./layout.js";
import { shardOf } from "./shard.js";
import { importLegacyStep, legacyDone } from "./legacy-import.js";

/** What a partition needs from outside: the control plane's read side definitions and layout history, and the other partitions. */
export interface PartitionPorts {
  /** Every read side, Statehouse's own (`$log`) included. */
  loadReadSides(): Promise<ReadSideRecord[]>;
  /** The partition counts the deployment ran with, oldest first, after recording `current` if it is new. */
  loadLayouts(current: number): Promise<number[]>;
  /** Another partition's store, for the steps of a move. */
  peer(p: number): DurableObjectStub<PartitionObject>;
  /** What the version before partitions kept in D1, which partition 0 takes over once. */
  legacy: LegacyStore;
  /** Where older log segments go (the LOG_ARCHIVE bucket); undefined: nothing is archived. */
  archive: ArchiveBucket | undefined;
  config(): Config;
}

/** Entries one archive object holds at most, and their payload bytes before compression. */
const ARCHIVE_OBJECT_ENTRIES = 10_000;
const ARCHIVE_OBJECT_BYTES = 4 * 1024 * 1024;
/** Archive objects one alarm or maintenance call writes at most. */
const ARCHIVE_OBJECTS_PER_RUN = 8;
/** How long the alarm waits before it tries archiving again after a failure (the bucket unreachable). */
const ARCHIVE_RETRY_MS = 5000;

/** Steps of the legacy import one alarm runs at most before it re-arms (each copies one page). */
const LEGACY_STEPS_PER_ALARM = 50;

/** How soon an unfinished move is driven again. */
const MOVE_RETRY_MS = 1000;

/** What a scrape needs from one partition, in one call. */
export interface PartitionMetrics {
  counters: CounterDelta[];
  log: { head: number; first: number; hotFirst: number };
  totalHeads: number;
  /** Events handled per read side (each cursor capped at its entity's head). */
  handled: Map<string, number>;
  /** Per lagging read side: when the oldest event it has not handled was first known (ms), null when not known. */
  waitingSince: Map<string, number | null>;
  parked: Map<string, number>;
}

/**
 * One partition of entity ids (the shards `shard % partitions` maps to it) keeps here, in its own
 * SQLite, everything that grows with events or entities: one row per entity holding every read
 * side's cursor, the failing-cursor index, parked events, the log's segments and the documents'
 * index. It runs each request's SQL synchronously, so a commit is one transaction and an
 * operator's read-then-write (a skip, a restart) cannot interleave with another request.
 * Expected failures are results; a throw is a bug.
 */
export class PartitionObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly segments: SegmentStore;
  private readonly log: PartitionLog;
  private readonly sides: ReadSideCache;
  private readonly shards: ShardKeeper;
  private me: number | undefined;
  private shardCount: number | undefined;
  /** Whether this partition serves at all: partition 0 first takes over what D1 held before partitions. */
  private legacyReady: boolean;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly ports: PartitionPorts,
  ) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sides = createReadSideCache(() => ports.loadReadSides());
    for (const statement of [...PARTITION_SCHEMA, ...SEGMENT_SCHEMA, ...ARCHIVE_SCHEMA, ...DOC_INDEX_SCHEMA, ...SHARD_SCHEMA]) this.sql.exec(statement);
    upgradePartitionSchema(this.sql);
    this.segments = createSegmentStore(this.sql);
    this.log = createPartitionLog({
      sql: this.sql,
      segments: this.segments,
      transact: <T>(fn: () => T): T => ctx.storage.transactionSync(fn),
      bucket: () => this.ports.archive,
      partition: () => this.me ?? 0,
    });
    this.shards = new ShardKeeper(this.sql, (current) => ports.loadLayouts(current));
    const info = new Map(this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM p_info WHERE key IN ('partition', 'shards')").toArray().map((r) => [r.key, Number(r.value)]));
    this.me = info.get("partition");
    this.shardCount = info.get("shards");
    this.legacyReady = this.me !== undefined && this.me !== 0 ? true : legacyDone(this.sql);
  }

  /**
   * Indexes the batch's entities it lacks, then answers every read side and their cursors for
   * them. Entities of a shard this partition does not serve yet (a resize is moving it here) or
   * no longer serves are answered in `wait`: their messages are retried once the move is done.
   */
  async load(entities: EntityHead[], now: number, route: Route): Promise<BatchPositions> {
    this.learn(route);
    if (!(await this.ready())) return { sides: [], cursors: new Map(), wait: entities.map((e) => e.entityId) };
    const [sides, history] = await Promise.all([this.sides.all(now), this.shards.layouts(route.partitions, now)]);
    const access = this.shards.access(history, route.partition, entities.map((e) => e.shard));
    if (access.imports.length > 0) await this.armMoves(now);
    const served = entities.filter((e) => access.serve.has(e.shard));
    const positions = this.ctx.storage.transactionSync(() => loadPositions(this.sql, sides, served, now));
    const lease = served.length > 0 ? this.shards.openLease(access.serve, now) : undefined;
    return { ...positions, wait: entities.filter((e) => !access.serve.has(e.shard)).map((e) => e.entityId), lease };
  }

  /**
   * Commits a batch's outcomes, log appends, parked events and heads in one transaction. A commit
   * for a shard this partition has sealed (a move took it) applies nothing for that shard: the
   * delivery re-runs at its new owner from the cursor it exported.
   */
  async commit(req: CommitRequest): Promise<CommitResult> {
    const sides = new Map((await this.sides.all(req.now)).map((s) => [s.spec.id, s]));
    this.shards.closeLease(req.lease);
    const { hotEntries, hotMaxEntries } = this.ports.config().log;
    const sealed = (shard: number) => {
      const state = this.shards.record(shard)?.state;
      return state === "sealed" || state === "released";
    };
    const keep = {
      ...req,
      updates: req.updates.filter((u) => !sealed(u.key.shard)),
      heads: req.heads.filter((h) => !sealed(h.shard)),
      appends: req.appends.filter((a) => !sealed(a.shard)),
      parked: req.parked.filter((p) => !req.updates.some((u) => u.key.entityId === p.entityId && sealed(u.key.shard))),
    };
    // Without a bucket nothing can make room but retention, which alone bounds the log then (as before the archive): no cap.
    const full = this.ports.archive !== undefined && this.log.full(hotMaxEntries);
    const result = this.ctx.storage.transactionSync(() =>
      commitBatch(this.sql, sides, keep, {
        append: (taken, now) => this.appendToLog(taken, now),
        full: full ? `the log's store in partition ${this.me ?? 0} holds ${this.log.hotEntries()} entries (STATEHOUSE_LOG_HOT_MAX_ENTRIES=${hotMaxEntries}): archiving is behind` : undefined,
      }),
    );
    // More than the hot window: the alarm moves the oldest segments to the archive, off this path.
    if (this.ports.archive !== undefined && this.log.hotEntries() > hotEntries) await this.armMoves(Date.now());
    return result;
  }

  /** Forgets the copy of the read side definitions (the manager calls it after every change). */
  async refreshReadSides(): Promise<void> {
    this.sides.invalidate();
  }

  /** Drops a read side's failing index and parked events (after it was deleted, or restarted as a whole). */
  async forgetReadSide(readSideId: string): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      dropFailing(this.sql, readSideId);
      dropParked(this.sql, readSideId);
    });
  }

  /** Indexed entities whose id starts with `prefix`, after `after`, at most `limit`. */
  async findEntities(prefix: string, after: string, limit: number): Promise<IndexedEntity[]> {
    return findByPrefix(this.sql, prefix, after, limit);
  }

  async cursors(readSideId: string, scope: CursorScope, opts: { after?: string; limit: number; failingOnly?: boolean }): Promise<CursorView[]> {
    const side = await this.sides.get(readSideId, Date.now());
    return side === undefined ? [] : listCursors(this.sql, side, scope, opts);
  }

  async summary(readSideId: string): Promise<CursorSummary> {
    const side = await this.sides.get(readSideId, Date.now());
    return side === undefined ? { entities: 0, lag: 0, lagByShard: {}, waitingSinceByShard: {}, retrying: 0, stopped: 0, parked: 0 } : summarize(this.sql, side);
  }

  async offsetsByShard(readSideId: string): Promise<Map<number, number>> {
    const side = await this.sides.get(readSideId, Date.now());
    return side === undefined ? new Map() : offsetsByShard(this.sql, side);
  }

  /** Restarts one shard's or one entity's cursors (a whole read side restarts by a new generation). */
  async restart(readSideId: string, scope: CursorScope, now: number): Promise<void> {
    return rethrowRemote(async () => {
      this.refuseWhileMoving(scope, "restart");
      const side = await this.sides.get(readSideId, now);
      if (side !== undefined) this.ctx.storage.transactionSync(() => restartScope(this.sql, side, scope, now));
    });
  }

  async retryFailing(readSideId: string, scope: CursorScope, now: number): Promise<number> {
    return rethrowRemote(async () => {
      this.refuseWhileMoving(scope, "resume");
      const side = await this.sides.get(readSideId, now);
      return side === undefined ? 0 : this.ctx.storage.transactionSync(() => retryFailing(this.sql, side, scope, now));
    });
  }

  async skipFailing(readSideId: string, scope: CursorScope, now: number): Promise<number> {
    return rethrowRemote(async () => {
      this.refuseWhileMoving(scope, "skip");
      const side = await this.sides.get(readSideId, now);
      return side === undefined ? 0 : this.ctx.storage.transactionSync(() => skipFailing(this.sql, side, scope, now));
    });
  }

  /**
   * Refuses an operator's change to the cursors of a shard a move is taking to or from this
   * partition: the import would overwrite it at the new owner, and the old owner's rows are on
   * their way out. Nothing is changed; the operator tries again once the move is done (minutes).
   */
  private refuseWhileMoving(scope: CursorScope, action: string): void {
    const moving = this.shards.moving();
    if (moving.length === 0) return;
    const shard = scope.shard ?? (scope.entityId !== undefined && this.shardCount !== undefined ? shardOf(scope.entityId, this.shardCount) : undefined);
    const hit = shard === undefined ? moving : moving.filter((s) => s === shard);
    if (hit.length === 0) return;
    throw new StatehouseError("unavailable", `cannot ${action} now: shard${hit.length > 1 ? "s" : ""} ${hit.join(", ")} ${hit.length > 1 ? "are" : "is"} moving between partitions (STATEHOUSE_PARTITIONS was raised); nothing was changed, try again once the move is done`);
  }

  async dueRetries(before: number, limit: number): Promise<DueRetry[]> {
    return dueRetries(this.sql, await this.sides.all(Date.now()), before, limit);
  }

  async lowWater(entityId: string): Promise<number | undefined> {
    return lowWater(this.sql, await this.sides.all(Date.now()), entityId);
  }

  async behind(readSideId: string, opts: { after: string; limit: number; shard?: number; quietSince?: number }): Promise<BehindEntity[]> {
    const side = await this.sides.get(readSideId, Date.now());
    return side === undefined ? [] : behind(this.sql, side, opts);
  }

  /** The next `limit` entities of the reconciler's walk of this partition's index. */
  async probePage(limit: number): Promise<IndexedEntity[]> {
    return indexPage(this.sql, probePosition(this.sql), limit);
  }

  /** Records the walk's new position and raises the heads it found behind. */
  async advanceProbe(after: string, raised: EntityHead[], now: number): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      setProbePosition(this.sql, after);
      raiseHeads(this.sql, this.ownHeads(raised), now);
    });
  }

  /** Raises the index's heads (dead letters announce theirs, so the reconciler re-delivers them). */
  async raiseHeads(heads: EntityHead[], now: number): Promise<void> {
    raiseHeads(this.sql, this.ownHeads(heads), now);
  }

  /**
   * The heads of shards this partition has not let go: a head raised for a shard a move took away
   * (a walk that read the index before the release, an old deployment's dead letter) would leave a
   * row the new owner never sees and this partition counts and re-enqueues for ever.
   */
  private ownHeads(heads: EntityHead[]): EntityHead[] {
    return heads.filter((h) => !this.shards.leaving(h.shard));
  }

  async listParked(readSideId: string, opts: { entityId?: string; limit: number }): Promise<ParkedView[]> {
    return listParked(this.sql, readSideId, opts);
  }

  async getParked(readSideId: string, entityId: string, revision: number): Promise<ParkedView | undefined> {
    return getParked(this.sql, readSideId, entityId, revision);
  }

  async removeParked(readSideId: string, entityId: string, revision: number): Promise<void> {
    removeParked(this.sql, readSideId, entityId, revision);
  }

  /** Counts one more failed replay of a parked event. */
  async touchParked(readSideId: string, entityId: string, revision: number, reason: string, now: number): Promise<void> {
    parkEvents(this.sql, [{ readSideId, entityId, revision, reason, attempts: 1 }], now);
  }

  /** A page of this partition's slice of the log. */
  async readLog(q: LogQuery): Promise<PartitionLogPage> {
    return rethrowRemote(() => this.log.read(q));
  }

  async logBounds(): Promise<{ head: number; first: number }> {
    const { head, first } = this.log.bounds();
    return { head, first };
  }

  /**
   * Keeps the log's store bounded: archives what lies beyond the hot window (when a bucket is
   * bound), then applies retention over both tiers (whole objects and segments, oldest first;
   * counters folded before); entries deleted by retention.
   */
  async trimLog(retention: LogRetention, now: number, maxSegments: number): Promise<number> {
    await this.archiveDue();
    const deleted = await this.log.trim(retention, now, maxSegments);
    if (deleted > 0) log.info(`statehouse: log retention deleted ${deleted} entries`, { entries: deleted });
    return deleted;
  }

  /** Entries of this partition's log in its own store and in the archive, for operators and tests. */
  async logTiers(): Promise<{ hot: number; head: number; first: number; hotFirst: number }> {
    return { hot: this.log.hotEntries(), ...this.log.bounds() };
  }

  /** Up to `limit` live documents of a type after `after`, by id. */
  async listDocs(entityType: string, after: string, limit: number): Promise<IndexedDoc[]> {
    return listDocuments(this.sql, entityType, after, limit);
  }

  /**
   * The old owner's first step of a move: stop serving `shard` for partition `to` (layout
   * `version`) and seal it at the log's head once no delivery that read it can still commit.
   */
  async sealShard(shard: number, version: number, to: number, route: Route): Promise<StepResult<{ through: number; barriers: LogBarrier[] }>> {
    this.learn(route);
    if (!(await this.ready())) return { done: false, retryMs: MOVE_RETRY_MS, reason: `partition ${route.partition} is still taking over what D1 held before partitions` };
    const history = await this.shards.layouts(route.partitions, Date.now());
    // This partition must itself hold the shard as of the layout before: finish its own move first.
    const before = successionOf(history, shard, route.partition, version - 1);
    if (before.kind === "from" && !this.holds(shard, before.version)) {
      await this.armMoves(Date.now());
      return { done: false, retryMs: MOVE_RETRY_MS, reason: `partition ${route.partition} is still taking shard ${shard} over` };
    }
    const sealed = this.shards.seal(shard, version, to, () => this.segments.bounds().head, Date.now());
    if (!sealed.done) return sealed;
    // Barriers of this log that entries up to `through` do not carry (this partition took shards
    // over and appended nothing since): reading this log through `through` does not imply them,
    // so the new owner must wait for them too (a shard moved 0 → 1 → 3 before 1 appended).
    return { done: true, value: { through: sealed.value.through, barriers: this.segments.barriersAfter(sealed.value.through) } };
  }

  /** A page of a sealed shard's rows, for its new owner. */
  async exportShard(shard: number, version: number, after: string): Promise<StepResult<ShardPage>> {
    const row = this.shards.record(shard);
    if (row === undefined || row.version < version || (row.state !== "sealed" && row.state !== "released")) {
      return { done: false, retryMs: MOVE_RETRY_MS, reason: `shard ${shard} is not sealed here` };
    }
    return { done: true, value: exportShardPage(this.sql, shard, after) };
  }

  /** The old owner's last step: forgets the shard's rows (in chunks; done when the answer is true). */
  async releaseShard(shard: number, version: number): Promise<boolean> {
    const row = this.shards.record(shard);
    if (row === undefined || row.version < version) return false;
    if (row.state === "released") return true;
    const done = this.ctx.storage.transactionSync(() => dropShardRows(this.sql, shard));
    if (done) this.shards.set({ ...row, state: "released" }, Date.now());
    return done;
  }

  /** Starts (or continues) taking over every shard the newest layout gives this partition; the reconciler calls it every run. */
  async ensureShards(route: Route): Promise<void> {
    this.learn(route);
    if (await this.ready()) await this.driveMoves(route.partitions);
  }

  /** The alarm drives the legacy import, then unfinished moves. */
  override async alarm(): Promise<void> {
    if (this.me !== undefined && this.me !== 0) this.legacyReady = true;
    for (let step = 0; !this.legacyReady && step < LEGACY_STEPS_PER_ALARM; step++) {
      this.legacyReady = await importLegacyStep(this.sql, this.ctx.storage, this.segments, this.ports.legacy);
    }
    if (!this.legacyReady) {
      await this.ctx.storage.setAlarm(Date.now() + 10);
      return;
    }
    await this.driveMoves(0);
    await this.archiveDue();
  }

  /**
   * Archives what lies beyond the hot window, a bounded number of objects per call; re-arms when
   * more is due. Once that made room, the log's cursors held while the store was full are due again.
   */
  private async archiveDue(): Promise<void> {
    if (this.ports.archive === undefined) return;
    const policy = this.archivePolicy();
    let archived = 0;
    try {
      for (let i = 0; i < ARCHIVE_OBJECTS_PER_RUN; i++) {
        // A full store archives everything but its newest segment: the log waits for that room.
        const full = this.log.full(this.ports.config().log.hotMaxEntries);
        const entries = await this.log.archive(full ? { ...policy, hotEntries: 0 } : policy, full);
        if (entries === 0) break;
        archived += entries;
        if (i === ARCHIVE_OBJECTS_PER_RUN - 1) await this.ctx.storage.setAlarm(Date.now() + 10);
      }
    } catch (cause) {
      log.error(`statehouse: archiving partition ${this.me ?? 0}'s log failed; the alarm tries again`, { partition: this.me, error: cause });
      await this.ctx.storage.setAlarm(Date.now() + ARCHIVE_RETRY_MS);
    }
    if (archived > 0) await this.releaseHeldLog();
  }

  /** Makes the log's cursors held by a full store due now, once the store takes rows again. */
  private async releaseHeldLog(): Promise<void> {
    if (this.log.full(this.ports.config().log.hotMaxEntries)) return;
    const now = Date.now();
    const side = (await this.sides.all(now)).find((s) => s.spec.id === LOG_READ_SIDE_ID);
    if (side === undefined) return;
    const released = this.ctx.storage.transactionSync(() => retryFailing(this.sql, side, {}, now, "retrying"));
    if (released > 0) log.info(`statehouse: partition ${this.me ?? 0}'s log takes rows again; ${released} entities' log cursors are due`, { partition: this.me, entities: released });
  }

  private archivePolicy(): ArchivePolicy {
    const { hotEntries } = this.ports.config().log;
    // An object holds at most half the hot window, so a small window archives long before its cap.
    return { hotEntries, objectEntries: Math.min(ARCHIVE_OBJECT_ENTRIES, Math.max(1, Math.floor(hotEntries / 2))), objectBytes: ARCHIVE_OBJECT_BYTES };
  }

  /**
   * Whether this partition may serve: always, except partition 0 before it has taken over what
   * D1 held before partitions (it then answers "wait", and its alarm copies D1 page by page).
   */
  private async ready(): Promise<boolean> {
    if (this.legacyReady || (this.me !== undefined && this.me !== 0)) return (this.legacyReady = true);
    this.legacyReady = await importLegacyStep(this.sql, this.ctx.storage, this.segments, this.ports.legacy);
    if (!this.legacyReady) await this.armMoves(Date.now());
    return this.legacyReady;
  }

  /** Everything a scrape reads from this partition. */
  async metrics(): Promise<PartitionMetrics> {
    const sides = await this.sides.all(Date.now());
    const { totalHeads, handled, waitingSince } = handledBySide(this.sql, sides);
    // Reading the counters may fold old segments' deltas (a write): one transaction.
    const counters = this.ctx.storage.transactionSync(() => this.segments.counters());
    return { counters, log: this.log.bounds(), totalHeads, handled, waitingSince, parked: countParked(this.sql) };
  }

  /** Whether this partition finished taking over `shard` for a run that began at layout `version`. */
  private holds(shard: number, version: number): boolean {
    const row = this.shards.record(shard);
    return row !== undefined && row.version >= version && (row.state === "owned" || row.state === "releasing" || row.state === "leaving" || row.state === "sealed" || row.state === "released");
  }

  /** Remembers which partition this object is and how many shards there are (every caller says so). */
  private learn(route: Route): void {
    if (this.me === route.partition && this.shardCount === route.numShards) return;
    this.me = route.partition;
    this.shardCount = route.numShards;
    for (const [key, value] of [["partition", route.partition], ["shards", route.numShards]] as const) {
      this.sql.exec("INSERT INTO p_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2", key, String(value));
    }
  }

  private async armMoves(now: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + 10);
  }

  /**
   * Takes over, one step at a time, every shard this partition must hold: in the newest layout,
   * and any an older move of another partition waits for. Each step is idempotent, so a failure
   * (the other side unreachable, not sealed yet) is retried by the alarm.
   */
  private async driveMoves(current: number): Promise<void> {
    const me = this.me;
    if (me === undefined) return;
    const now = Date.now();
    const history = await this.shards.layouts(current, now);
    const total = history.at(-1) ?? 1;
    const pending: { shard: number; from: number; version: number }[] = [];
    for (let shard = 0; shard < (this.shardCount ?? 0); shard++) {
      // Every run of layouts in which this partition held the shard, oldest first: a later owner's
      // seal asks this partition to hold it first (1 → 2 → 4 moves shard 3 from 0 to 1, then to 3),
      // even when a resize came before this partition took it over.
      const row = this.shards.record(shard);
      const runs = new Map<number, Succession & { kind: "from" }>();
      for (let upTo = 1; upTo <= history.length; upTo++) {
        const s = successionOf(history, shard, me, upTo);
        if (s.kind === "from") runs.set(s.version, s);
      }
      const newest = successionOf(history, shard, me);
      for (const s of runs.values()) {
        // A run that is not the newest is owed only if nothing of a later one happened here.
        const owed = s === runs.get(newest.kind === "from" ? newest.version : -1) || row === undefined || row.version <= s.version;
        if (owed && !this.holds(shard, s.version)) pending.push({ shard, from: s.partition, version: s.version });
      }
    }
    let unfinished = false;
    for (const move of pending) {
      try {
        if (!(await this.takeOver(move.shard, move.from, move.version, { partition: me, partitions: total, numShards: this.shardCount ?? 0 }))) unfinished = true;
      } catch (cause) {
        log.warn(`statehouse: moving shard ${move.shard} from partition ${move.from} to ${me} failed; retrying`, { shard: move.shard, error: cause });
        unfinished = true;
      }
    }
    if (unfinished) await this.ctx.storage.setAlarm(Date.now() + MOVE_RETRY_MS);
  }

  /** One pass of taking `shard` over from `from` (layout `version`); true once it is served here. */
  private async takeOver(shard: number, from: number, version: number, route: Route): Promise<boolean> {
    const now = Date.now();
    let row = this.shards.record(shard);
    if (row === undefined || row.version < version || (row.state !== "importing" && row.state !== "releasing")) {
      row = { shard, state: "importing", version, peer: from, through: 0, after: "" };
      this.shards.set(row, now);
      log.info(`statehouse: taking shard ${shard} over from partition ${from} (layout ${version})`, { shard, partition: from });
    }
    const peer = this.ports.peer(from);
    if (row.state === "importing") {
      const sealed = await peer.sealShard(shard, version, route.partition, { ...route, partition: from });
      if (!sealed.done) return false;
      for (;;) {
        const page = await peer.exportShard(shard, version, row.after);
        if (!page.done) return false;
        const current: typeof row = { ...row, after: page.value.next ?? row.after, through: sealed.value.through };
        const last = page.value.next === undefined;
        this.ctx.storage.transactionSync(() => {
          importShardPage(this.sql, page.value);
          if (last) {
            // Entries of this shard from here on wait for readers to pass the old owner's through the seal.
            if (sealed.value.through > 0) this.segments.addBarrier({ partition: from, offset: sealed.value.through });
            for (const b of sealed.value.barriers) if (b.partition !== route.partition) this.segments.addBarrier({ partition: b.partition, offset: b.offset });
            this.shards.set({ ...current, state: "releasing" }, Date.now());
          } else {
            this.shards.set(current, Date.now());
          }
        });
        row = this.shards.record(shard) as NonNullable<typeof row>;
        if (last) break;
      }
    }
    while (!(await peer.releaseShard(shard, version))) {
      // Each call deletes a chunk of the old owner's rows.
    }
    this.shards.set({ ...row, state: "owned" }, Date.now());
    log.info(`statehouse: shard ${shard} is now served by partition ${route.partition}`, { shard, partition: route.partition });
    return true;
  }


  /** The taken appends' rows as log segments, with the counters and documents' index they move. */
  private appendToLog(taken: LogAppend[], now: number): { offsets: number[]; appendedAt: number; barriers: (LogBarrier[] | undefined)[] } {
    const counters = mergeDeltas(taken.flatMap((a) => countRows(a.entityId, a.rows)));
    const appended = this.log.append(
      taken.flatMap((a) => a.rows),
      now,
      counters,
    );
    recordDocuments(this.sql, taken, now);
    return { offsets: appended?.entries.map((e) => e.offset) ?? [], appendedAt: appended?.appendedAt ?? now, barriers: appended?.entries.map((e) => e.barriers) ?? [] };
  }
}
