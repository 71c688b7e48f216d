// EntityObject: one Durable Object per entity id — it orders commands: one at a time, folded, committed, handed to the outbox.
import { DurableObject } from "cloudflare:workers";
import type { Registry } from "@bufbuild/protobuf";
import { type Any, timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Config } from "../config/index.js";
import { StatehouseError, isUnexpected } from "../errors.js";
import { createWriteHandler, type WriteHandler } from "../handlers/index.js";
import { type JournalEntry, type JournalStore, createJournalStore } from "./journal/index.js";
import { log } from "../log.js";
import { TRACE_META_KEYS, activeTrace, carrierOf, inSpan, traceFromCarrier, traceMetaHeaders } from "../trace/index.js";
import { acceptHubSocket } from "../streams/index.js";
import { anyFromBinary, typeNameOf, typeRegistry } from "../payload/index.js";
import { CommandQueue } from "./command-queue.js";
import { compactJournal } from "./compaction.js";
import { broadcastCommit } from "./feed-broadcast.js";
import { type Head, emptyHead, headOfRow } from "./entity-head.js";
import { entityIdProblem } from "./entity-id.js";
import type { EntityPorts } from "./entity-ports.js";
import { readJournalPage, readState } from "./entity-reads.js";
import { foldCommand, toMetaHeaders } from "./fold.js";
import { IDEMPOTENCY_TTL_MS, replayIdempotent } from "./idempotency.js";
import { toJournalRow } from "./journal-row.js";
import { OutboxPublisher } from "./outbox.js";
import type { CommandInput, JournalPage, RpcResult, StateReply } from "./rpc-types.js";

/** How soon a safety alarm re-publishes revisions the Queue may not have. */
const OUTBOX_ALARM_MS = 10_000;

/** The Durable Object behind one entity: strictly one command at a time, journal in SQLite. */
export class EntityObject extends DurableObject<Env> {
  private journal!: JournalStore;
  private head: Head | undefined;
  private entityId: string | undefined;
  private readonly queue = new CommandQueue();
  private readonly outbox: OutboxPublisher;
  private handler: WriteHandler | undefined;
  private alarmArmed = false;

  constructor(
    ctx: DurableObjectState,
    env: Env,
    private readonly ports: EntityPorts,
  ) {
    super(ctx, env);
    this.outbox = new OutboxPublisher(
      (msg) => this.ports.publish(msg),
      (cause, failures, retryMs) => this.onOutboxFailure(cause, failures, retryMs),
    );
    void ctx.blockConcurrencyWhile(async () => {
      try {
        this.journal = createJournalStore(ctx.storage);
        this.recover();
        this.alarmArmed = (await ctx.storage.getAlarm()) !== null;
      } catch (cause) {
        // A throw here would leave the object wedged; abort so the next request starts afresh.
        log.error("statehouse: entity failed to start", { error: cause });
        ctx.abort("entity failed to start");
      }
    });
  }

  /** Runs one command: fold through the write handler, then commit every event in one transaction. */
  processCommand(input: CommandInput): Promise<RpcResult<StateReply>> {
    // The command's span: a child of the caller's (an invalid or absent trace starts one), so its handler calls, log lines and events name it.
    const parent = traceFromCarrier(input.trace);
    return this.queue.run(() => inSpan("statehouse.command", parent, { "statehouse.entity_id": input.entityId }, () => this.guard(() => this.runCommand(input))));
  }

  /** The state and meta at the head, or right after `revision` when given. */
  async getState(input: { entityId: string; revision?: number }): Promise<RpcResult<StateReply>> {
    return this.guard(async () => {
      this.checkId(input.entityId);
      return readState(this.journal, this.head, input.entityId, input.revision);
    });
  }

  /** A page of the journal, oldest first: at most `limit` rows and about `maxBytes` (default JOURNAL_PAGE_BYTES). */
  async readJournal(input: { entityId: string; fromRevision: number; limit: number; maxBytes?: number }): Promise<RpcResult<JournalPage>> {
    return this.guard(async () => {
      this.checkId(input.entityId);
      return readJournalPage(this.journal, this.head?.revision ?? 0, input);
    });
  }

  /**
   * Accepts a subscriber bridge's WebSocket (GET with Upgrade: websocket) as hibernatable: the
   * object may leave memory while subscribers stay connected, and every commit is broadcast to
   * them (see entity-feed.ts). Nothing else is served over fetch.
   */
  override async fetch(request: Request): Promise<Response> {
    const entityId = new URL(request.url).searchParams.get("entity_id") ?? "";
    if (entityIdProblem(entityId) !== undefined || (this.entityId !== undefined && this.entityId !== entityId)) {
      return new Response("entity id does not match this object", { status: 400 });
    }
    return acceptHubSocket(this.ctx, request);
  }

  /** Subscribers send nothing; a stray message is ignored. */
  override async webSocketMessage(): Promise<void> {}

  /** A subscriber went away; the runtime answers its close frame (web_socket_auto_reply_to_close). */
  override async webSocketClose(): Promise<void> {}

  /** The newest committed revision (0 for an entity with no events), for the reconciler. */
  async headRevision(): Promise<number> {
    return this.head?.revision ?? 0;
  }

  /** SQLite rows read and written since this object started, for benchmarks and operators. */
  async rowCounts(): Promise<{ rowsRead: number; rowsWritten: number }> {
    return { ...this.journal.counts };
  }

  /** Re-publishes what the Queue may not have, compacts, and forgets expired idempotency keys. */
  override async alarm(): Promise<void> {
    this.alarmArmed = false;
    this.journal.expireIdempotencyKeys(Date.now() - IDEMPOTENCY_TTL_MS);
    const head = this.head;
    if (head === undefined) return;
    const done = await this.outbox.flush(head.meta.entityId, head.revision);
    if (!done) this.armAlarm(this.outbox.retryMs);
    if (this.ports.config().journalLogicalDeletion) await compactJournal(this.journal, head.meta.entityId, this.outbox.published, (id) => this.ports.lowWater(id));
  }

  private async runCommand(input: CommandInput): Promise<StateReply> {
    this.checkId(input.entityId);
    const config = this.ports.config();
    const registry = typeRegistry();
    const prior = this.head ?? emptyHead(input.entityId);

    let commandHash: Uint8Array | undefined;
    if (input.idempotencyKey !== undefined) {
      commandHash = new Uint8Array(await crypto.subtle.digest("SHA-256", input.command));
      const seen = this.journal.idempotencyKey(input.idempotencyKey);
      if (seen !== undefined) return replayIdempotent(this.journal, input.idempotencyKey, seen, commandHash, prior);
    }
    if (input.expectedRevision !== undefined && input.expectedRevision !== prior.revision) {
      throw new StatehouseError(
        "aborted",
        `expected revision ${input.expectedRevision} but entity ${input.entityId} is at revision ${prior.revision}`,
      );
    }

    // The table of built-ins sees every command: a built-in may keep entity ids to itself.
    const builtin = this.ports.builtins.select(input.entityId, input.builtin);
    const command = anyFromBinary(input.command, "command");
    const { handler, validation } = builtin ?? { handler: this.writeHandler(config, registry), validation: config.validation };
    const folded = await foldCommand(handler, {
      entityId: input.entityId,
      command,
      priorState: prior.state,
      priorMeta: prior.meta,
      revisionDate: timestampFromMs(Date.now()),
      // The command's trace goes into every event's meta, under the keys Statehouse owns (an allow-listed copy of the request's header would contradict it).
      persistedHeaders: [...toMetaHeaders(input.persistedHeaders.filter(([key]) => !TRACE_META_KEYS.includes(key))), ...traceMetaHeaders(activeTrace())],
      propagatedHeaders: new Headers(input.propagatedHeaders),
      validation,
    }).catch((cause: unknown) => {
      logHandlerFailure(input.entityId, cause);
      throw cause;
    });
    const rows: JournalEntry[] = folded.map((f) => toJournalRow(f.event, f.state, f.meta));
    const last = folded.at(-1);
    if (last !== undefined && input.requireJsonTypes) requireRegistered(last.state, registry);
    if (rows.length === 0 && commandHash === undefined) return { state: prior.stateBytes, meta: prior.metaBytes };

    inSpan("statehouse.commit", undefined, { "statehouse.entity_id": input.entityId, "statehouse.events": rows.length }, () =>
      this.journal.append(rows, prior.revision, {
        published: this.outbox.published,
        snapshotFrequency: config.snapshotFrequency,
        snapshotsToRetain: config.snapshotsToRetain,
        idempotency:
          input.idempotencyKey !== undefined && commandHash !== undefined
            ? { key: input.idempotencyKey, commandHash, now: Date.now() }
            : undefined,
      }),
    );
    if (last === undefined || rows.length === 0) return { state: prior.stateBytes, meta: prior.metaBytes };
    const lastRow = rows.at(-1) as JournalEntry;
    this.head = { revision: lastRow.revision, state: last.state, meta: last.meta, stateBytes: lastRow.state, metaBytes: lastRow.meta };
    this.entityId = input.entityId;
    // Armed in the same turn as the commit, so an eviction before the send still publishes later.
    this.armAlarm(OUTBOX_ALARM_MS);
    const span = activeTrace();
    this.outbox.notify(input.entityId, lastRow.revision, rows, span === undefined ? undefined : carrierOf(span));
    broadcastCommit(this.ctx, input.entityId, rows);
    return { state: lastRow.state, meta: lastRow.meta };
  }

  private recover(): void {
    const row = this.journal.head();
    if (row === undefined) return;
    this.head = headOfRow(row);
    this.entityId = this.head.meta.entityId;
    this.outbox.published = row.published;
  }

  private writeHandler(config: Config, registry: Registry): WriteHandler {
    this.handler ??= createWriteHandler(config, this.env, registry);
    return this.handler;
  }

  private checkId(entityId: string): void {
    const problem = entityIdProblem(entityId);
    if (problem !== undefined) throw new StatehouseError("invalid_argument", problem);
    if (this.entityId !== undefined && this.entityId !== entityId) {
      throw new StatehouseError("internal", "entity id does not match this object");
    }
  }

  private armAlarm(delayMs: number): void {
    if (this.alarmArmed) return;
    this.alarmArmed = true;
    void this.ctx.storage.setAlarm(Date.now() + delayMs);
  }

  private onOutboxFailure(cause: unknown, failures: number, retryMs: number): void {
    log.error(`statehouse: Queue send failed (attempt ${failures}); the alarm retries`, {
      entity_id: this.entityId,
      attempts: failures,
      error: cause,
    });
    // Sooner than the safety alarm armed at commit: a failed send should not add ten seconds of lag.
    this.alarmArmed = true;
    void this.ctx.storage.setAlarm(Date.now() + retryMs);
  }

  private async guard<T>(task: () => Promise<T>): Promise<RpcResult<T>> {
    try {
      return { ok: true, value: await task() };
    } catch (cause) {
      // Workers RPC keeps neither stack nor cause: this is the last place a bug can be logged whole.
      if (isUnexpected(cause)) log.error("statehouse: unexpected error", { entity_id: this.entityId, code: "internal", error: cause });
      return { ok: false, error: StatehouseError.from(cause).toData() };
    }
  }
}

/** Codes that say the write handler (or the way to it) is failing, not that it refused the command. */
const HANDLER_FAULTS: ReadonlySet<string> = new Set(["unavailable", "deadline_exceeded", "internal", "unknown"]);

/** A warn line for a command the write handler could not run, in the command's span, so it meets the handler's own logs by trace id. */
function logHandlerFailure(entityId: string, cause: unknown): void {
  // A bug (not a StatehouseError) is logged whole by guard().
  if (isUnexpected(cause)) return;
  const err = StatehouseError.from(cause);
  if (HANDLER_FAULTS.has(err.code)) log.warn(`statehouse: command on ${entityId} failed in the write handler: ${err.code}: ${err.message}`, { entity_id: entityId, code: err.code });
}

function requireRegistered(state: Any, registry: Registry): void {
  const name = typeNameOf(state.typeUrl);
  if (registry.getMessage(name) === undefined) {
    throw new StatehouseError(
      "failed_precondition",
      `the resulting state type ${state.typeUrl} is not in the descriptor set, so it cannot be answered as JSON; nothing was persisted (add it to descriptors/user.binpb or use the binary protocol)`,
    );
  }
}
