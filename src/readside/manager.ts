// Operator actions on read sides: define, pause, resume, restart, skip, inspect, and replay what was parked.
import { type ReadSidePatch, type ReadSideSpec, applyReadSidePatch, checkReadSideSpec } from "../config/index.js";
import type { DeadLetter, ReadSideRecord } from "../control/index.js";
import { StatehouseError } from "../errors.js";
import { findServiceBinding } from "../handlers/index.js";
import { type CursorScope, type ParkedView, freshCursor } from "../partition/index.js";
import type { ReadSideContext } from "./context.js";
import { deliverPair } from "./delivery.js";
import { type EntityCursor, toEntityCursor } from "./entity-cursor.js";
import { eachPartition, listCursors, listParked, offsetsByShard, summarize } from "./fan-out.js";
import { parseMessage } from "./messages.js";
import { createReadSideHandler } from "./read-side-handler.js";
import { type ReadSideStatus, readSideState } from "./read-side-status.js";
import { type ReadSideView, toReadSideView } from "./read-side-view.js";
import { queueOf, startSweep } from "./sweep.js";

/** Where an operation applies: a whole read side, one shard of it, or one entity. */
export interface Scope {
  shard?: number;
  entityId?: string;
}

/** Which cursors to list: a scope, a page (entity ids after `after`, at most `limit`), optionally failing ones only. */
export interface CursorQuery extends Scope {
  after?: string;
  limit: number;
  failingOnly?: boolean;
}

/** CoS's offset of one shard: the number of events the read side has handled for its entities. */
export interface ShardOffset {
  shard: number;
  offset: number;
}

/** How many failing entities a status lists. */
const STATUS_FAILING_LIMIT = 20;

/** The operator's handle on read sides; every failure is a StatehouseError. */
export class ReadSideManager {
  constructor(private readonly ctx: ReadSideContext) {}

  /** All read sides, by id. */
  async list(): Promise<ReadSideView[]> {
    return (await this.ctx.loadReadSides()).map(toReadSideView);
  }

  /** One read side, or NOT_FOUND. */
  async get(id: string): Promise<ReadSideView> {
    return toReadSideView(await this.record(id));
  }

  /** Registers a read side; it then receives every retained event of every entity. */
  async create(definition: ReadSideSpec): Promise<ReadSideView> {
    const spec = this.validate(definition);
    await this.ctx.loadReadSides();
    if (!(await this.ctx.readSides.insert(spec, "api", Date.now()))) {
      throw new StatehouseError("already_exists", `read side ${spec.id} already exists`);
    }
    await this.ctx.refreshPartitions();
    if (spec.enabled && spec.autoStart) await startSweep(this.ctx, spec.id);
    return this.get(spec.id);
  }

  /** Changes the fields the patch gives; `secret: null` removes the secret. Pause state and cursors are kept. */
  async update(id: string, patch: ReadSidePatch): Promise<ReadSideView> {
    const current = await this.mutable(id);
    const spec = this.validate(applyReadSidePatch(current.spec, patch));
    await this.ctx.readSides.update(spec, Date.now());
    await this.ctx.refreshPartitions();
    if (spec.enabled && !current.spec.enabled) await startSweep(this.ctx, id);
    return this.get(id);
  }

  /** Deletes a read side with its cursors and parked events. */
  async remove(id: string): Promise<void> {
    await this.mutable(id);
    await this.ctx.readSides.remove(id);
    await this.forgetInPartitions(id);
  }

  /** Stops deliveries (all, or one shard's); cursors stay where they are. */
  async pause(id: string, shard?: number): Promise<void> {
    await this.record(id);
    await this.ctx.readSides.setPaused(id, true, this.shard(shard));
    await this.ctx.refreshPartitions();
  }

  /** Resumes deliveries, retries entities stopped on a failure, and catches up what was missed. */
  async resume(id: string, shard?: number): Promise<void> {
    await this.record(id);
    await this.ctx.readSides.setPaused(id, false, this.shard(shard));
    await this.ctx.refreshPartitions();
    const now = Date.now();
    await eachPartition(this.ctx.partitions, { shard }, (p) => this.ctx.partitions.store(p).retryFailing(id, { shard }, now));
    await startSweep(this.ctx, id, shard);
  }

  /**
   * Replays every retained event of every entity (in scope) to the read side, in order per
   * entity. A whole read side starts a new generation (no entity row is rewritten); a shard's
   * cursors are set back in its partition.
   */
  async restart(id: string, shard?: number): Promise<void> {
    await this.record(id);
    const now = Date.now();
    if (this.shard(shard) === undefined) {
      await this.ctx.readSides.regenerate(id, now);
      await this.forgetInPartitions(id);
    } else {
      await eachPartition(this.ctx.partitions, { shard }, (p) => this.ctx.partitions.store(p).restart(id, { shard }, now));
    }
    await startSweep(this.ctx, id, shard);
  }

  /** Moves past the failing head event of each failing entity in scope (parking it); the count skipped. */
  async skip(id: string, scope: Scope = {}): Promise<number> {
    await this.record(id);
    const s: CursorScope = { shard: this.shard(scope.shard), entityId: scope.entityId };
    const now = Date.now();
    const skipped = await eachPartition(this.ctx.partitions, s, (p) => this.ctx.partitions.store(p).skipFailing(id, s, now));
    if (scope.entityId !== undefined && skipped === 0) {
      throw new StatehouseError("failed_precondition", `read side ${id} is not failing on entity ${scope.entityId}: nothing to skip`);
    }
    if (skipped > 0) await startSweep(this.ctx, id, s.shard);
    return skipped;
  }

  /** CoS's offsets: per shard, the number of events the read side has handled there. */
  async offsets(id: string, shard?: number): Promise<ShardOffset[]> {
    await this.record(id);
    const byShard = await offsetsByShard(this.ctx.partitions, id);
    const shards = shard !== undefined ? [this.shard(shard) as number] : [...Array(this.ctx.config.numShards).keys()];
    return shards.map((s) => ({ shard: s, offset: byShard.get(s) ?? 0 }));
  }

  /** Where a read side stands: its state, lag, failing entities (the first 20) and parked count. */
  async status(id: string): Promise<ReadSideStatus> {
    const r = await this.record(id);
    const summary = await summarize(this.ctx.partitions, id);
    const failing = await listCursors(this.ctx.partitions, id, {}, { limit: STATUS_FAILING_LIMIT, failingOnly: true });
    return { id, state: readSideState(r, summary), pausedShards: r.pausedShards, ...summary, failing: failing.map(toEntityCursor) };
  }

  /** A page of the read side's cursors in scope, by entity id. */
  async cursors(id: string, query: CursorQuery): Promise<EntityCursor[]> {
    await this.record(id);
    const { shard, entityId, ...page } = query;
    const views = await listCursors(this.ctx.partitions, id, { shard: this.shard(shard), entityId }, page);
    return views.map(toEntityCursor);
  }

  /** The read side's parked events (optionally one entity's), by entity id and revision. */
  async parked(id: string, query: { entityId?: string; limit: number }): Promise<ParkedView[]> {
    await this.record(id);
    return listParked(this.ctx.partitions, id, query);
  }

  /** Recorded dead letters, oldest first; `pendingOnly` leaves out those already replayed. */
  deadLetters(query: { limit: number; pendingOnly: boolean }): Promise<DeadLetter[]> {
    return this.ctx.deadLetters.list(query);
  }

  /** Delivers one parked event again (deliberately out of order); on success it is no longer parked. */
  async replayParked(id: string, entityId: string, revision: number): Promise<void> {
    const record = await this.record(id);
    const store = this.ctx.partitions.store(this.ctx.partitions.partitionOf(entityId));
    if ((await store.getParked(id, entityId, revision)) === undefined) {
      throw new StatehouseError("not_found", `read side ${id} has no parked event ${entityId}@${revision}`);
    }
    const page = await this.ctx.entities.readJournal(entityId, revision, 1);
    const entry = page.events[0];
    if (entry?.revision !== revision) throw new StatehouseError("not_found", `${entityId}@${revision} is no longer retained in the journal`);
    const handler = createReadSideHandler({ ...record.spec, eventTypes: [] }, this.ctx.env, this.ctx.registry);
    const key = { readSideId: id, entityId, shard: this.ctx.partitions.shardOf(entityId) };
    const cursor = { ...freshCursor(record.generation), revision: revision - 1 };
    const out = await deliverPair({ spec: { ...record.spec, policy: "STOP", eventTypes: [] }, handler, key, cursor, startedAt: 0, compactedAt: 0, events: [entry], target: revision, deadline: Infinity });
    if (out.update?.status !== "ok") {
      const reason = out.update?.lastError ?? "not delivered";
      await store.touchParked(id, entityId, revision, reason, Date.now());
      throw new StatehouseError("unavailable", `replay of ${entityId}@${revision} to read side ${id} failed: ${reason}`);
    }
    await store.removeParked(id, entityId, revision);
  }

  /** Forgets one parked event without delivering it (the journal keeps the event); not_found when it is not parked. */
  async deleteParked(id: string, entityId: string, revision: number): Promise<void> {
    await this.record(id);
    const store = this.ctx.partitions.store(this.ctx.partitions.partitionOf(entityId));
    if ((await store.getParked(id, entityId, revision)) === undefined) {
      throw new StatehouseError("not_found", `read side ${id} has no parked event ${entityId}@${revision}`);
    }
    await store.removeParked(id, entityId, revision);
  }

  /** Puts a recorded dead letter back on the events queue of its entity's partition. */
  async replayDeadLetter(letterId: number): Promise<void> {
    const letter = await this.ctx.deadLetters.get(letterId);
    if (letter === undefined) throw new StatehouseError("not_found", `dead letter ${letterId} not found`);
    const body = JSON.parse(letter.body) as unknown;
    const parsed = parseMessage(body);
    const partition =
      parsed?.kind === "delivery" ? this.ctx.partitions.partitionOf(parsed.body.entityId) : parsed?.kind === "sweep" ? (parsed.body.sweep.partition ?? 0) : 0;
    await queueOf(this.ctx, partition).send(body, { contentType: "json" });
    await this.ctx.deadLetters.markReplayed(letterId, Date.now());
  }

  /** Tells every partition of a change to the read side's definition and drops its failing index and parked events there. */
  private async forgetInPartitions(id: string): Promise<void> {
    await this.ctx.refreshPartitions();
    await Promise.all(this.ctx.partitions.all.map((p) => this.ctx.partitions.store(p).forgetReadSide(id)));
  }

  /** One stored read side, or NOT_FOUND. */
  private async record(id: string): Promise<ReadSideRecord> {
    await this.ctx.loadReadSides();
    const record = await this.ctx.readSides.get(id);
    if (record === undefined) throw new StatehouseError("not_found", `read side ${id} not found`);
    return record;
  }

  /** Validates a shard number against COS_NUM_SHARDS. */
  private shard(shard: number | undefined): number | undefined {
    if (shard === undefined) return undefined;
    const n = this.ctx.config.numShards;
    if (!Number.isSafeInteger(shard) || shard < 0 || shard >= n) {
      throw new StatehouseError("invalid_argument", `shard ${shard} does not exist: shards are 0 to ${n - 1} (COS_NUM_SHARDS=${n})`);
    }
    return shard;
  }

  /** Checks a spec as a whole (a patch can leave a stored URL this deployment no longer allows) and its binding. */
  private validate(spec: ReadSideSpec): ReadSideSpec {
    const parsed = checkReadSideSpec(spec, { allowLocalHttp: this.ctx.config.allowLocalHttp });
    if (!parsed.ok) throw new StatehouseError("invalid_argument", `invalid read side: ${parsed.errors.join("; ")}`);
    const t = parsed.spec.target;
    if (t.kind === "binding" && findServiceBinding(this.ctx.env, t.binding) === undefined) {
      throw new StatehouseError("invalid_argument", `invalid read side: binding: no Service Binding named ${t.binding} (declare it in wrangler.toml)`);
    }
    return parsed.spec;
  }

  private async mutable(id: string): Promise<ReadSideRecord> {
    const record = await this.record(id);
    if (record.source === "config") {
      throw new StatehouseError("failed_precondition", `read side ${id} is declared in STATEHOUSE_READ_SIDES: change it there`);
    }
    return record;
  }
}
