// eskit's EventstoreService reads over Statehouse: an originator's journal, the global log in pages and live.
import { create, type Registry } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { StatehouseError } from "../errors.js";
import type { Originator } from "../gen/contracts/common/originator_pb.js";
import { type AppLogEntry, AppLogEntrySchema, type Event } from "../gen/contracts/eventstore/event_pb.js";
import type { AppLogRequest } from "../gen/contracts/eventstore/service_pb.js";
import { type EntityClient, decodeJournalEntry } from "../entity/index.js";
import { type EventLog, LOG_PAGE_MAX, type LogEntry, decodeLogEntry, formatLogStart } from "../eventlog/index.js";
import { logEventType } from "./store/index.js";
import type { LogStreams } from "../streams/index.js";
import { parseDecimal } from "./decimal.js";
import { toEskitEvent } from "./eskit-event.js";
import { eskitLogId, startOfFromId } from "./log-ids.js";
import { parseLogSelector } from "./selector.js";

/** Entries Logs returns when `size` is 0 (eskit's default). */
export const LOGS_DEFAULT_SIZE = 20;
/** Payload bytes one Logs answer collects at most (at least one entry is always returned). */
export const LOGS_MAX_BYTES = 4 * 1024 * 1024;
/** Event bytes one GetEvents answer may hold; beyond, ask up to an originator.version. */
export const GET_EVENTS_MAX_BYTES = 16 * 1024 * 1024;
/** Journal rows one page of a GetEvents read asks an entity for. */
const JOURNAL_PAGE = 1000;

/** What the reads need: the entities, the log and its live streams, and the JSON type registry. */
export interface EskitEventStoreDeps {
  entities: EntityClient;
  eventLog: EventLog;
  logStreams: LogStreams;
  registry: Registry;
}

/** eskit's reads; every failure is a StatehouseError. */
export interface EskitEventStore {
  /** The originator's events in version order, up to and including originator.version when given. */
  getEvents(originator: Originator | undefined): Promise<Event[]>;
  /** A page of the log from from_id (inclusive): `size` entries that match, or up to the head. */
  logs(req: AppLogRequest): Promise<AppLogEntry[]>;
  /** The log from from_id, matching entries only, then live until `signal` aborts. */
  /** onOpen runs once the log stream is open, before the first entry (a server stream then sends its headers). */
  poll(req: AppLogRequest, signal: AbortSignal, onOpen?: () => void): AsyncIterable<AppLogEntry>;
}

/** eskit's reads over the request's entity client, event log and log streams. */
export function createEskitEventStore(deps: EskitEventStoreDeps): EskitEventStore {
  const partitions = deps.eventLog.partitions;
  const toEntry = async (e: LogEntry, position: string): Promise<AppLogEntry> => {
    const d = decodeLogEntry(e);
    const event = d.event ?? (await journalEvent(deps.entities, d.entityId, d.revision));
    return create(AppLogEntrySchema, { id: eskitLogId(e, position, partitions), event: toEskitEvent({ ...d, event }, deps.registry) });
  };
  return {
    async getEvents(originator) {
      if (originator === undefined) throw new StatehouseError("invalid_argument", "missing originator");
      const upTo = parseDecimal(originator.version, "originator.version");
      const events: Event[] = [];
      let bytes = 0;
      for (let from = 1; from !== 0 && (upTo === undefined || from <= upTo); ) {
        const page = await deps.entities.readJournal(originator.id, from, JOURNAL_PAGE);
        if (from === 1 && page.headRevision > 0 && page.firstRetainedRevision !== 1) {
          throw new StatehouseError(
            "failed_precondition",
            `the events of ${originator.id} before version ${page.firstRetainedRevision} were compacted (COS_JOURNAL_LOGICAL_DELETION)`,
          );
        }
        for (const row of page.events) {
          if (upTo !== undefined && row.revision > upTo) break;
          bytes += row.event.byteLength;
          if (bytes > GET_EVENTS_MAX_BYTES) {
            throw new StatehouseError("resource_exhausted", `the events of ${originator.id} pass ${GET_EVENTS_MAX_BYTES} bytes: ask up to an originator.version`);
          }
          const { event, meta } = decodeJournalEntry(row);
          events.push(toEskitEvent({ entityId: originator.id, revision: row.revision, event, eventType: logEventType(event), meta }, deps.registry));
        }
        from = page.nextFromRevision;
      }
      return events;
    },

    async logs(req) {
      const size = req.size === 0 ? LOGS_DEFAULT_SIZE : req.size;
      if (size > LOG_PAGE_MAX) throw new StatehouseError("invalid_argument", `size must be at most ${LOG_PAGE_MAX}`);
      const selector = parseLogSelector(req.selector, req.pipelineId);
      const found: { entry: LogEntry; position: string }[] = [];
      let bytes = 0;
      // "1" (eskit's FromBeginning), "0" and "" start at the oldest entry retention kept.
      let next = startOfFromId(req.fromId, partitions);
      // eskit stopped after one full page of non-matching entries; this reads on to `size` or the head.
      for (;;) {
        const page = await deps.eventLog.read({ from: next, limit: size - found.length, type: selector.glob });
        for (const e of page.entries) {
          if (!selector.matches(e.entry.eventType)) continue;
          found.push(e);
          bytes += (e.entry.event?.byteLength ?? 0) + e.entry.meta.byteLength;
        }
        const reachedHead = page.nextStart.every((n, p) => n > (page.head[p] ?? 0)) || page.next === next;
        if (found.length >= size || bytes >= LOGS_MAX_BYTES || reachedHead) break;
        next = page.next;
      }
      const entries: AppLogEntry[] = [];
      for (const e of found) entries.push(await toEntry(e.entry, e.position));
      return entries;
    },

    async *poll(req, signal, onOpen) {
      const selector = parseLogSelector(req.selector, req.pipelineId);
      const from = startOfFromId(req.fromId, partitions) ?? formatLogStart((await deps.eventLog.bounds()).first);
      const stream = await deps.logStreams.open({ from, type: selector.glob, signal });
      onOpen?.();
      for await (const e of stream) {
        if (selector.matches(e.entry.eventType)) yield await toEntry(e.entry, e.position);
      }
    },
  };
}

/** An event too large for the log, from its entity's journal while it is there (eskit's own appends always fit the log). */
async function journalEvent(entities: EntityClient, entityId: string, revision: number): Promise<Any | undefined> {
  const row = (await entities.readJournal(entityId, revision, 1)).events[0];
  return row === undefined || row.revision !== revision ? undefined : decodeJournalEntry(row).event;
}
