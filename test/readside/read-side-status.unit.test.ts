// A read side's state and its entities' cursor states, derived from stored rows.
import { describe, expect, it } from "vitest";
import type { ReadSideRecord } from "../../src/control/index.js";
import type { CursorSummary, CursorView } from "../../src/partition/index.js";
import { toEntityCursor } from "../../src/readside/entity-cursor.js";
import { readSideState } from "../../src/readside/read-side-status.js";

const record = (over: Partial<ReadSideRecord> & { enabled?: boolean } = {}): ReadSideRecord => ({
  spec: {
    id: "rs",
    target: { kind: "url", url: "https://x.example" },
    protocol: "connect",
    timeoutMs: 5000,
    policy: "REPLAY_STOP",
    retries: 5,
    backoffMs: 1000,
    enabled: over.enabled ?? true,
    autoStart: true,
    eventTypes: [],
    secret: undefined,
  },
  generation: "g",
  startedAt: 0,
  paused: false,
  pausedShards: [],
  source: "api",
  createdAt: 0,
  updatedAt: 0,
  ...over,
});
const totals = (over: Partial<CursorSummary> = {}): CursorSummary => ({ entities: 3, lag: 0, lagByShard: {}, waitingSinceByShard: {}, retrying: 0, stopped: 0, parked: 0, ...over });

describe("readSideState", () => {
  it("given nothing wrong, then it is running", () => {
    expect(readSideState(record(), totals())).toEqual({ kind: "running" });
  });

  it("given a disabled read side that is also paused and failing, then disabled wins", () => {
    expect(readSideState(record({ enabled: false, paused: true }), totals({ stopped: 1 }))).toEqual({ kind: "disabled" });
  });

  it("given a paused read side with stopped entities, then it is paused", () => {
    expect(readSideState(record({ paused: true }), totals({ stopped: 2 }))).toEqual({ kind: "paused" });
  });

  it("given stopped and retrying entities, then stopped wins and counts them", () => {
    expect(readSideState(record(), totals({ stopped: 2, retrying: 1 }))).toEqual({ kind: "stopped", entities: 2 });
    expect(readSideState(record(), totals({ retrying: 1 }))).toEqual({ kind: "retrying", entities: 1 });
  });

  it("given paused shards and nothing failing, then it is partly paused on them", () => {
    expect(readSideState(record({ pausedShards: [3, 7] }), totals())).toEqual({ kind: "partlyPaused", shards: [3, 7] });
  });
});

describe("toEntityCursor", () => {
  const row: CursorView = { entityId: "e", shard: 2, revision: 4, headRevision: 6, lag: 2, status: "ok", attempts: 0, failedRevision: 0, lastError: null, updatedAt: 9 };

  it("given a stopped row, then its failure carries revision, attempts and error", () => {
    const c = toEntityCursor({ ...row, status: "stopped", attempts: 3, failedRevision: 5, lastError: "unavailable: down" });
    expect(c.state).toEqual({ kind: "stopped", failure: { revision: 5, attempts: 3, error: "unavailable: down" } });
  });

  it("given a clean ok row, then it is ok with nothing else", () => {
    expect(toEntityCursor(row)).toEqual({ entityId: "e", shard: 2, revision: 4, headRevision: 6, lag: 2, state: { kind: "ok" }, updatedAt: 9 });
  });

  it("given an ok row resumed from a failure, then it keeps that failure until the next delivery", () => {
    const c = toEntityCursor({ ...row, failedRevision: 5, lastError: "internal: boom" });
    expect(c.state).toEqual({ kind: "ok", resumedFrom: { revision: 5, error: "internal: boom" } });
  });
});
