// eskit's log ids over a partitioned log: the offset with one partition, a start with its entry's partition with several.
import { StatehouseError } from "../errors.js";
import { type LogEntry, formatLogPosition, formatLogStart, parseLogPosition, parseLogStart, positionBefore, startAfter } from "../eventlog/index.js";

/**
 * The eskit id of an entry the reader reached at `position` (its position once it had the entry).
 * With one partition it is the entry's offset, as eskit's ids always were. With several it is the
 * start that reads this entry first, followed by "@" and the entry's partition ("16-1-8@2"):
 * `from_id` includes the entry (eskit's Logs does), and LogConsume can tell exactly what was handled.
 */
export function eskitLogId(entry: LogEntry, position: string, partitions: number): string {
  if (partitions === 1) return String(entry.offset);
  const start = startAfter(parseLogPosition(position, partitions));
  start[entry.partition] = entry.offset;
  return `${formatLogStart(start)}@${entry.partition}`;
}

/** Where Logs and LogsPoll start for a `from_id`: undefined for "", "0" and eskit's "1" (the oldest retained); else a start as the log takes it. */
export function startOfFromId(fromId: string, partitions: number): string | undefined {
  const text = fromId.trim();
  if (text === "" || text === "0" || text === "1") return undefined;
  const { start } = splitId(text, partitions, "from_id");
  return formatLogStart(start);
}

/**
 * The log position a consumer has handled when it reports `id` to LogConsume: through the entry the
 * id names. A bare offset is an id from before partitions were added (an entry of partition 0):
 * handled through it. Any other id without "@" (a start) counts as handled up to just before it.
 */
export function positionOfId(id: string, partitions: number): string {
  const text = id.trim();
  if (text === "") throw new StatehouseError("invalid_argument", "missing offset");
  if (partitions === 1 || /^\d+$/.test(text)) return formatLogPosition(parseLogPosition(text, partitions, "offset"));
  const { start, partition } = splitId(text, partitions, "offset");
  const position = positionBefore(start);
  if (partition !== undefined) position[partition] = start[partition] as number;
  return formatLogPosition(position);
}

/** The id eskit's GetLogConsume answers for a stored position: the position itself (with one partition, the offset). */
export function idOfPosition(position: string): string {
  return position;
}

function splitId(text: string, partitions: number, field: string): { start: number[]; partition: number | undefined } {
  const at = text.indexOf("@");
  const start = parseLogStart(at < 0 ? text : text.slice(0, at), partitions, field);
  if (at < 0) return { start, partition: undefined };
  const partition = /^\d{1,4}$/.test(text.slice(at + 1)) ? Number(text.slice(at + 1)) : Number.NaN;
  if (!(partition < partitions)) throw new StatehouseError("invalid_argument", `${field} names partition ${text.slice(at + 1)}, but the log has ${partitions}`);
  return { start, partition };
}
