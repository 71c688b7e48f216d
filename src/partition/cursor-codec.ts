// One entity row holds every read side's cursor: how a cursor is kept in that row's JSON, compactly.

/** What a cursor says about one (read side, entity). */
export type CursorStatus = "ok" | "retrying" | "stopped";

/**
 * Where a (read side, entity) stands. `generation`, `epoch` and `revision` are the token a
 * commit compares: a cursor of another generation (a deleted or restarted read side's) reads as
 * a fresh one.
 */
export interface Cursor {
  generation: string;
  epoch: number;
  revision: number;
  status: CursorStatus;
  attempts: number;
  /** When a retrying cursor's scheduled retry is due (epoch ms). */
  retryAt: number;
  /** When this cursor was last restarted (epoch ms; 0 if never). */
  restartedAt: number;
}

/** A cursor with what an operator sees of it: the failure it holds and when it last moved. */
export interface StoredCursor extends Cursor {
  failedRevision: number;
  lastError: string | null;
  updatedAt: number;
}

/**
 * The JSON of one cursor in an entity row. Short keys, and defaults left out, because the row is
 * rewritten at every batch that moves one of its cursors: g generation, e epoch, r revision,
 * s status (absent: ok), a attempts, f failed revision, t retry at, x restarted at, u updated at,
 * m last error.
 */
export interface CursorJson {
  g: string;
  e?: number;
  r: number;
  s?: "retrying" | "stopped";
  a?: number;
  f?: number;
  t?: number;
  x?: number;
  u: number;
  m?: string;
}

/** Every read side's cursor in one entity row, by read side id. */
export type CursorMap = Record<string, CursorJson>;

/** Longest last_error kept: a handler's error text is for an operator, not a payload store. */
export const MAX_ERROR_CHARS = 2000;

/** A cursor that was never written (or belongs to an older generation of its read side). */
export function freshCursor(generation: string): Cursor {
  return { generation, epoch: 0, revision: 0, status: "ok", attempts: 0, retryAt: 0, restartedAt: 0 };
}

/** Reads an entity row's cursors; a malformed row reads as no cursors (a bug, never user input). */
export function parseCursors(text: string): CursorMap {
  const v = JSON.parse(text) as unknown;
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as CursorMap) : {};
}

/** The cursor `json` holds for a read side of `generation`; undefined when absent or of another generation. */
export function decodeCursor(json: CursorJson | undefined, generation: string): StoredCursor | undefined {
  if (json === undefined || json.g !== generation) return undefined;
  return {
    generation: json.g,
    epoch: json.e ?? 0,
    revision: json.r,
    status: json.s ?? "ok",
    attempts: json.a ?? 0,
    retryAt: json.t ?? 0,
    restartedAt: json.x ?? 0,
    failedRevision: json.f ?? 0,
    lastError: json.m ?? null,
    updatedAt: json.u,
  };
}

/** The JSON kept for `c`, with its error cut to MAX_ERROR_CHARS and defaults left out. */
export function encodeCursor(c: StoredCursor): CursorJson {
  const json: CursorJson = { g: c.generation, r: c.revision, u: c.updatedAt };
  if (c.epoch !== 0) json.e = c.epoch;
  if (c.status !== "ok") json.s = c.status;
  if (c.attempts !== 0) json.a = c.attempts;
  if (c.failedRevision !== 0) json.f = c.failedRevision;
  if (c.retryAt !== 0) json.t = c.retryAt;
  if (c.restartedAt !== 0) json.x = c.restartedAt;
  if (c.lastError !== null) json.m = c.lastError.slice(0, MAX_ERROR_CHARS);
  return json;
}

/** The map key of a (read side, entity) pair. */
export function cursorId(readSideId: string, entityId: string): string {
  return `${readSideId}\u0000${entityId}`;
}
