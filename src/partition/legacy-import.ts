// Upgrading from the version before partitions: partition 0 takes over what D1 held (index, cursors, parked, documents, the log), once.
import { fromBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import type { LegacyStore } from "../control/index.js";
import { importDocRows } from "../eskit/store/index.js";
import type { LogRow, SegmentStore } from "../eventlog/index.js";
import { decodeBase64Lenient } from "../payload/index.js";
import { isEskitEvent } from "../eskit/store/index.js";
import { encodeCursor } from "./cursor-codec.js";
import { writeEntityRows } from "./entity-rows.js";
import { markFailing } from "./failing.js";
import { parkEvents } from "./parked.js";

/** Where the import stands (p_info 'legacy'): the table being copied and the last key copied. */
type Progress = { stage: "entities" | "parked" | "docs" | "log" | "done"; after: string };

const KEY = "legacy";
const PAGE = 500;
/** Base64 characters of log payload one step reads from D1 at most (a step's memory stays a few MB). */
const LOG_STEP_CHARS = 4_000_000;

/** Whether the import has finished (or found nothing to import). */
export function legacyDone(sql: SqlStorage): boolean {
  return progressOf(sql).stage === "done";
}

/**
 * One step of the import into partition 0; true once it is done. Each step copies one page and
 * records where it got to in the same transaction, so a step that fails, or an object that
 * restarts, continues where it stopped and copies nothing twice. Offsets of the log are kept as
 * they were (so positions readers stored stay valid), and so are its batches (one segment per
 * original consumer batch, by appended_at). D1's counters stay where they are: the scrape adds them.
 */
export async function importLegacyStep(sql: SqlStorage, storage: DurableObjectStorage, segments: SegmentStore, source: LegacyStore): Promise<boolean> {
  const p = progressOf(sql);
  // Steps run concurrently (the alarm, and every load while partition 0 is not ready): a step
  // whose page another step copied while it read D1 writes nothing.
  const moved = () => JSON.stringify(progressOf(sql)) !== JSON.stringify(p);
  switch (p.stage) {
    case "done":
      return true;
    case "entities": {
      if (p.after === "" && !(await source.present())) return moved() ? legacyDone(sql) : save(storage, sql, { stage: "done", after: "" });
      const page = await source.entities(p.after, PAGE);
      storage.transactionSync(() => {
        if (moved()) return;
        writeEntityRows(
          sql,
          page.map((e) => ({
            entityId: e.entityId,
            shard: e.shard,
            head: e.head,
            updatedAt: e.updatedAt,
            // The old store kept no such times: how long these events waited reads as unknown.
            marks: [],
            cursors: Object.fromEntries(e.cursors.map((c) => [c.readSideId, encodeCursor(c)])),
          })),
        );
        for (const e of page) for (const c of e.cursors) if (c.status !== "ok") markFailing(sql, { readSideId: c.readSideId, entityId: e.entityId, shard: e.shard }, c.status, c.retryAt);
        setProgress(sql, page.length < PAGE ? { stage: "parked", after: "" } : { stage: "entities", after: page.at(-1)?.entityId ?? "" });
      });
      return false;
    }
    case "parked": {
      const after = p.after === "" ? undefined : (JSON.parse(p.after) as { readSideId: string; entityId: string; revision: number });
      const page = await source.parked(after, PAGE);
      storage.transactionSync(() => {
        if (moved()) return;
        for (const x of page) parkEvents(sql, [{ ...x, attempts: x.attempts }], x.parkedAt);
        const last = page.at(-1);
        setProgress(sql, page.length < PAGE || last === undefined ? { stage: "docs", after: "" } : { stage: "parked", after: JSON.stringify(last) });
      });
      return false;
    }
    case "docs": {
      const after = p.after === "" ? undefined : (JSON.parse(p.after) as { entityType: string; docId: string });
      const page = await source.docs(after, PAGE);
      storage.transactionSync(() => {
        if (moved()) return;
        importDocRows(sql, page);
        const last = page.at(-1);
        setProgress(sql, page.length < PAGE || last === undefined ? { stage: "log", after: "" } : { stage: "docs", after: JSON.stringify({ entityType: last.entityType, docId: last.docId }) });
      });
      return false;
    }
    case "log": {
      const from = p.after === "" ? 1 : Number(p.after) + 1;
      const rows = await source.log(from, PAGE, LOG_STEP_CHARS);
      storage.transactionSync(() => {
        if (moved()) return;
        const first = rows[0];
        // Retention may have removed the oldest rows: the log starts where D1's did.
        if (p.after === "" && first !== undefined) segments.startAt(first.offset);
        // One segment per original batch: rows of one consumer commit share their appended_at.
        for (let i = 0; i < rows.length; ) {
          let j = i;
          while (j < rows.length && rows[j]?.appendedAt === rows[i]?.appendedAt) j++;
          const batch = rows.slice(i, j);
          segments.append(batch.map(toLogRow), batch[0]?.appendedAt ?? 0, []);
          i = j;
        }
        const last = rows.at(-1);
        setProgress(sql, last === undefined ? { stage: "done", after: "" } : { stage: "log", after: String(last.offset) });
      });
      return false;
    }
  }
}

function toLogRow(r: { entityId: string; revision: number; eventType: string; event: string | null; meta: string; state: string | null }): LogRow {
  const event = r.event === null ? undefined : decodeBase64Lenient(r.event, "log payload");
  return {
    entityId: r.entityId,
    revision: r.revision,
    eventType: r.eventType,
    eskit: event !== undefined && isEskitEvent(fromBinary(AnySchema, event)),
    event,
    meta: decodeBase64Lenient(r.meta, "log payload"),
    state: r.state === null ? undefined : decodeBase64Lenient(r.state, "log payload"),
  };
}

function progressOf(sql: SqlStorage): Progress {
  const v = sql.exec<{ value: string }>("SELECT value FROM p_info WHERE key = ?", KEY).toArray()[0]?.value;
  return v === undefined ? { stage: "entities", after: "" } : (JSON.parse(v) as Progress);
}

function setProgress(sql: SqlStorage, p: Progress): void {
  sql.exec("INSERT INTO p_info (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2", KEY, JSON.stringify(p));
}

function save(storage: DurableObjectStorage, sql: SqlStorage, p: Progress): boolean {
  storage.transactionSync(() => setProgress(sql, p));
  return p.stage === "done";
}
