// The admin API's JSON: the manager's typed values in the snake_case shapes operators and the CLI read.
import { describe, expect, it } from "vitest";
import { cursorJson, patchFromJson, readSideJson, statusJson } from "../../src/front/admin-json.js";
import type { EntityCursor, ReadSideStatus, ReadSideView } from "../../src/readside/index.js";

const opts = { allowLocalHttp: false };
const cursor: EntityCursor = { entityId: "e", shard: 1, revision: 4, headRevision: 6, lag: 2, state: { kind: "ok" }, updatedAt: 9 };

describe("admin JSON", () => {
  it("writes a read side with has_secret and ISO times, never a secret or auto_start", () => {
    const view: ReadSideView = {
      spec: { id: "rs", target: { kind: "binding", binding: "B" }, protocol: "connect", timeoutMs: 5000, policy: "STOP", retries: 5, backoffMs: 1000, enabled: true, eventTypes: [] },
      hasSecret: true,
      paused: false,
      pausedShards: [2],
      source: "config",
      createdAt: 0,
      updatedAt: 1000,
    };
    expect(readSideJson(view)).toEqual({
      id: "rs",
      binding: "B",
      protocol: "connect",
      timeout_ms: 5000,
      policy: "STOP",
      retries: 5,
      backoff_ms: 1000,
      enabled: true,
      event_types: [],
      has_secret: true,
      paused: false,
      paused_shards: [2],
      source: "config",
      created_at: "1970-01-01T00:00:00.000Z",
      updated_at: "1970-01-01T00:00:01.000Z",
    });
  });

  it("names a partly paused state as the CLI shows it", () => {
    const status: ReadSideStatus = { id: "rs", state: { kind: "partlyPaused", shards: [1] }, pausedShards: [1], entities: 1, lag: 0, lagByShard: {}, waitingSinceByShard: {}, retrying: 0, stopped: 0, parked: 0, failing: [] };
    expect(statusJson(status)).toEqual({ id: "rs", state: "partly paused", paused_shards: [1], entities: 1, lag: 0, lag_seconds: null, lag_by_shard: [], retrying: 0, stopped: 0, parked: 0, failing: [] });
  });

  it("lists the lag of each lagging shard, by shard, in events and in whole seconds of its oldest wait", () => {
    const status: ReadSideStatus = {
      id: "rs",
      state: { kind: "running" },
      pausedShards: [],
      entities: 3,
      lag: 5,
      lagByShard: { 7: 4, 2: 1 },
      waitingSinceByShard: { 7: 10_000 },
      retrying: 0,
      stopped: 0,
      parked: 0,
      failing: [],
    };
    const json = statusJson(status, 72_999);
    expect(json.lag_by_shard).toEqual([
      { shard: 2, lag: 1, lag_seconds: null },
      { shard: 7, lag: 4, lag_seconds: 62 },
    ]);
    // Shard 2's wait is not known (entities indexed before marks): it may be the oldest, so the overall one is not known either.
    expect(json.lag_seconds).toBeNull();
    expect(statusJson({ ...status, waitingSinceByShard: { 7: 10_000, 2: 40_000 } }, 72_999).lag_seconds).toBe(62);
  });

  it("writes a failing entity's status, revisions, attempts and error", () => {
    const failing: EntityCursor = { ...cursor, state: { kind: "retrying", failure: { revision: 5, attempts: 2, error: "unavailable: down" } } };
    const status: ReadSideStatus = { id: "rs", state: { kind: "retrying", entities: 1 }, pausedShards: [], entities: 1, lag: 2, lagByShard: { 0: 2 }, waitingSinceByShard: {}, retrying: 1, stopped: 0, parked: 0, failing: [failing] };
    expect(statusJson(status).failing).toEqual([{ entity_id: "e", status: "retrying", revision: 4, failed_revision: 5, attempts: 2, last_error: "unavailable: down" }]);
  });

  it("writes an ok cursor with zero attempts, and the failure it was resumed from", () => {
    expect(cursorJson(cursor)).toEqual({ entity_id: "e", shard: 1, revision: 4, head_revision: 6, lag: 2, lag_seconds: null, status: "ok", attempts: 0, failed_revision: 0, last_error: null, updated_at: 9 });
    const resumed = cursorJson({ ...cursor, state: { kind: "ok", resumedFrom: { revision: 5, error: "internal: boom" } } });
    expect(resumed).toMatchObject({ status: "ok", attempts: 0, failed_revision: 5, last_error: "internal: boom" });
  });

  it("reads a PATCH body, ignoring an id (the path names the read side)", () => {
    expect(patchFromJson({ id: "other!", enabled: false, secret: null }, opts)).toEqual({ enabled: false, secret: null });
  });
});
