// The built-in `$log` read side's delivery: journal rows after its cursor become rows of the global log.
import { fromBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import type { JournalEntry } from "../entity/index.js";
import type { LogAppend, LogRow } from "../eventlog/index.js";
import { log } from "../log.js";
import { isEskitEvent, logEventType } from "../eskit/store/index.js";
import { type PairDelivery, type PairOutcome, compactionGap } from "./delivery.js";

/** Raw bytes a log row may hold: base64 adds a third, and D1 caps a row at 2 MB. */
export const LOG_ROW_MAX_BYTES = 1_400_000;

/** What the `$log` pair contributes to its batch's commit. */
export interface LogDelivery {
  outcome: PairOutcome;
  append: LogAppend | undefined;
}

/**
 * Turns the events after the `$log` cursor into log rows, in revision order, and moves the cursor
 * past them. Nothing leaves the isolate here: the batch's commit writes the rows and the cursor in
 * one transaction. Compaction waits for the log (a `$log` without a cursor counts as 0), so events
 * missing before the log's first row of an entity went before the log existed and are not owed —
 * whatever the clocks say (the migration's started_at has whole seconds; D1's and the Durable
 * Object's clocks differ). A gap after that stops the cursor with an explicit error. No operator can
 * reach `$log`, so a stopped cursor (a gap, or a consumer of the version before the log, which
 * took `$log` for a read side without a target) is tried again by every delivery.
 */
export function planLogAppend(d: Pick<PairDelivery, "key" | "cursor" | "events" | "target" | "compactedAt">, keepStates: boolean): LogDelivery {
  const { key, cursor } = d;
  const outcome: PairOutcome = { update: undefined, parked: [], resend: undefined };
  const rows: LogRow[] = [];
  let revision = cursor.revision;
  const owed = { key, compactedAt: d.compactedAt, startedAt: Number.POSITIVE_INFINITY };
  for (const entry of d.events) {
    if (entry.revision <= revision) continue;
    const gap = compactionGap(owed, revision, entry.revision);
    if (gap !== undefined) {
      log.error(`statehouse: the event log stopped for ${key.entityId}: ${gap}`, { entity_id: key.entityId, read_side_id: key.readSideId });
      outcome.update = { key, from: cursor, revision, status: "stopped", attempts: 0, failedRevision: entry.revision - 1, lastError: gap, retryAt: 0 };
      break;
    }
    rows.push(toLogRow(key.entityId, entry, keepStates));
    revision = entry.revision;
  }
  if (outcome.update === undefined && rows.length > 0) {
    outcome.update = { key, from: cursor, revision, status: "ok", attempts: 0, failedRevision: 0, lastError: null, retryAt: 0 };
  }
  if (outcome.update?.status !== "stopped" && revision < d.target) outcome.resend = { fromRevision: revision + 1, delaySeconds: 0 };
  const append = rows.length === 0 ? undefined : { entityId: key.entityId, shard: key.shard, generation: cursor.generation, epoch: cursor.epoch, fromRevision: cursor.revision, rows };
  return { outcome, append };
}

/** One journal row as a log row: the state only when kept and it fits, the event only when it fits. */
function toLogRow(entityId: string, entry: JournalEntry, keepStates: boolean): LogRow {
  const any = fromBinary(AnySchema, entry.event);
  const eventType = logEventType(any);
  const base = entry.event.length + entry.meta.length;
  const state = keepStates && base + entry.state.length <= LOG_ROW_MAX_BYTES ? entry.state : undefined;
  const event = base <= LOG_ROW_MAX_BYTES ? entry.event : undefined;
  return { entityId, revision: entry.revision, eventType, eskit: isEskitEvent(any), event, meta: entry.meta, state };
}
