// A reader's place in a log of K partitions: last consumed offsets, inclusive starts, and their string form.
import { StatehouseError } from "../errors.js";

/**
 * Where a reader stands: per partition, the LAST offset it consumed (0 = nothing yet). With one
 * partition it is today's single offset. Its string form is what consumers store and resume from.
 */
export type LogPosition = number[];

/**
 * Where a read starts: per partition, the FIRST offset wanted (inclusive), as `?from=` and
 * readMerged take it. startAfter and positionBefore convert between the two.
 */
export type LogStart = number[];

const COMPONENT = /^[0-9]{1,16}$/;

/**
 * The string form of a position or start: with one partition the plain decimal ("15", exactly
 * today's offsets); with more, the components joined by "-" ("15-0-7"). Opaque to clients.
 */
export function formatLogPosition(position: readonly number[]): string {
  return position.join("-");
}

/**
 * Parses a position (last consumed offsets) for a log of `count` partitions. A shorter vector is a
 * position from before partitions were added: its missing components are 0 (nothing consumed of
 * the new partitions). A longer one, or anything not decimal, is INVALID_ARGUMENT naming the form.
 */
export function parseLogPosition(text: string, count: number, field = "position"): LogPosition {
  return parseVector(text, count, field, 0);
}

/**
 * Parses an inclusive start (`?from=`) for `count` partitions. A 0 component, and a missing one (a
 * start from before partitions were added), means "the oldest entry retention kept" there; a
 * start that is 0 as a whole is the caller's to read as it does today ("the oldest retained" for a
 * read, "from now on" for a stream).
 */
export function parseLogStart(text: string, count: number, field = "from"): LogStart {
  return parseVector(text, count, field, 0);
}

/** Formats an inclusive start: the same form as a position. */
export const formatLogStart: (start: readonly number[]) => string = formatLogPosition;

/** The start that continues after `position`: each component + 1. */
export function startAfter(position: readonly number[]): LogStart {
  return position.map((o) => o + 1);
}

/** The position of a reader about to read from `start`: each component - 1 (0 at the least). */
export function positionBefore(start: readonly number[]): LogPosition {
  return start.map((s) => Math.max(0, s - 1));
}

/** `position` with `offset` consumed in `partition` (a copy; a lower offset leaves it as it was). */
export function advancePosition(position: readonly number[], partition: number, offset: number): LogPosition {
  const next = [...position];
  next[partition] = Math.max(next[partition] ?? 0, offset);
  return next;
}

function parseVector(text: string, count: number, field: string, missing: number): number[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new StatehouseError("internal", `a log has at least one partition, not ${count}`);
  const parts = text.split("-");
  if (parts.length > count || !parts.every((p) => COMPONENT.test(p) && Number.isSafeInteger(Number(p)))) {
    throw new StatehouseError("invalid_argument", `${field} must be ${expectedForm(count)}, got ${JSON.stringify(text.slice(0, 64))}`);
  }
  const values = parts.map(Number);
  while (values.length < count) values.push(missing);
  return values;
}

function expectedForm(count: number): string {
  if (count === 1) return "a log offset: a whole number such as 15";
  const example = Array.from({ length: count }, (_, i) => [15, 0, 7][i % 3]).join("-");
  return `a log position: up to ${count} whole numbers joined by "-", one per partition, such as ${example}`;
}
