// Command semantics through the front door: revisions, folds, concurrency, no-event commands.
import { describe, expect, it } from "vitest";
import { call, command, freshId, state } from "../helpers.js";

const EMPTY_URL = "type.googleapis.com/google.protobuf.Empty";

describe("a new entity", () => {
  it("is given Empty as prior state and revision 0 meta", async () => {
    const id = freshId();
    const res = await command(id, { command: { op: "echo_prior" } });
    expect(res.status).toBe(200);
    expect(res.body.state.last).toEqual({ prior_type: EMPTY_URL, prior_revision: 0, prior_entity: id });
  });

  it("is not found by GetState before its first event", async () => {
    const res = await state(freshId());
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("not_found");
  });

  it("answers a no-event command with Empty state at revision 0 and stays not found", async () => {
    const id = freshId();
    const res = await command(id, { command: { op: "noop" } });
    expect(res.status).toBe(200);
    expect(res.body.state).toEqual({ "@type": EMPTY_URL });
    expect(res.body.meta.revision_number).toBe(0);
    expect((await state(id)).status).toBe(404);
  });
});

describe("revisions", () => {
  it("are contiguous from 1 for sequential commands", async () => {
    const id = freshId();
    for (let i = 1; i <= 5; i++) {
      const res = await command(id, { command: {} });
      expect(res.body.meta.revision_number).toBe(i);
      expect(res.body.state.count).toBe(i);
    }
  });

  it("leave state and revision unchanged after a no-event command on an existing entity", async () => {
    const id = freshId();
    const first = await command(id, { command: {} });
    const noop = await command(id, { command: { op: "noop" } });
    expect(noop.body).toEqual(first.body);
    expect((await state(id)).body).toEqual(first.body);
  });

  it("are all applied, each seeing the previous state, when 20 commands race on one entity", async () => {
    const id = freshId();
    const results = await Promise.all(Array.from({ length: 20 }, () => command(id, { command: {} })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const revisions = results.map((r) => r.body.meta.revision_number).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The fold saw every prior state: count equals revision in every reply.
    for (const r of results) expect(r.body.state.count).toBe(r.body.meta.revision_number);
    expect((await state(id)).body.state.count).toBe(20);
  });

  it("advance independently on many entities in parallel", { timeout: 60_000 }, async () => {
    const ids = Array.from({ length: 25 }, () => freshId("many"));
    await Promise.all(ids.map(async (id) => {
      for (let i = 0; i < 3; i++) await command(id, { command: {} });
    }));
    const states = await Promise.all(ids.map((id) => state(id)));
    expect(states.map((s) => s.body.meta.revision_number)).toEqual(ids.map(() => 3));
  });
});

describe("multi-event commands", () => {
  it("fold every event in order, one revision and one journal row each", async () => {
    const id = freshId();
    const res = await command(id, { command: { events: [{ n: 1 }, { n: 2 }, { n: 3 }] } });
    expect(res.body.meta.revision_number).toBe(3);
    expect(res.body.state).toEqual({ count: 3, last: { n: 3 }, revision: 3 });
    const journal = await (await call(`/api/v1/entities/${id}/events`)).json<any>();
    expect(journal.events.map((e: any) => [e.revision, e.event.n, e.state.count])).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [3, 3, 3],
    ]);
    expect(journal.head_revision).toBe(3);
  });

  it("accept the deprecated single `event` field when `events` is empty", async () => {
    const res = await command(freshId(), { command: { op: "legacy", events: [{ legacy: true }] } });
    expect(res.body.meta.revision_number).toBe(1);
    expect(res.body.state.last).toEqual({ legacy: true });
  });
});

describe("state at a past revision and the journal", () => {
  it("returns the state right after a past revision", async () => {
    const id = freshId();
    for (let i = 0; i < 4; i++) await command(id, { command: { events: [{ step: i + 1 }] } });
    const past = await state(id, "?revision=2");
    expect(past.status).toBe(200);
    expect(past.body.state.last).toEqual({ step: 2 });
    expect(past.body.meta.revision_number).toBe(2);
  });

  it("rejects a revision beyond the head as out of range", async () => {
    const id = freshId();
    await command(id, { command: {} });
    const res = await state(id, "?revision=9");
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("out_of_range");
  });

  it("pages through the journal with next_from_revision", async () => {
    const id = freshId();
    await command(id, { command: { events: [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }, { a: 5 }] } });
    const seen: number[] = [];
    let from = 1;
    for (let page = 0; page < 5 && from !== 0; page++) {
      const body = await (await call(`/api/v1/entities/${id}/events?from=${from}&limit=2`)).json<any>();
      seen.push(...body.events.map((e: any) => e.revision));
      from = body.next_from_revision;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(from).toBe(0);
  });
});
