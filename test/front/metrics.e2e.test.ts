// GET /metrics through the front door: admin token, Prometheus' text format, and counters that follow the pipeline.
import { describe, expect, it } from "vitest";
import { call, command, freshId } from "../helpers.js";
import { appendAll, crudstore, eskitEvent, freshType } from "../eskit/helpers.js";
import { ADMIN_TOKEN, behave, createReadSide, eventually, freshReadSideId } from "../readside/helpers.js";

type Sample = { name: string; labels: Record<string, string>; value: number };
type Scrape = { types: Map<string, string>; samples: Sample[] };

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})(?:,[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})*)?\\})? (\\S+)$`);

/**
 * Parses Prometheus' text format strictly: every line is a HELP, a TYPE or a sample; a family's
 * HELP and TYPE come once, before its samples; label values unescape; values are numbers.
 */
function parseExposition(text: string): Scrape {
  expect(text.endsWith("\n")).toBe(true);
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (help !== null) {
      expect(helped.has(help[1] as string), `HELP twice for ${help[1]}`).toBe(false);
      helped.add(help[1] as string);
      continue;
    }
    if (type !== null) {
      expect(types.has(type[1] as string), `TYPE twice for ${type[1]}`).toBe(false);
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const m = SAMPLE_LINE.exec(line);
    if (m === null) throw new Error(`not a Prometheus text line: ${JSON.stringify(line)}`);
    const name = m[1] as string;
    expect(types.has(name), `sample of ${name} before its TYPE`).toBe(true);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? "").matchAll(new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)=(${LABEL_VALUE})`, "g"))) {
      labels[k as string] = (v as string).slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    const value = Number(m[3]);
    expect(Number.isNaN(value) && m[3] !== "NaN").toBe(false);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

async function scrape(): Promise<Scrape> {
  const res = await call("/metrics", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return parseExposition(await res.text());
}

function valueOf(s: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  return s.samples.find((x) => x.name === name && JSON.stringify(x.labels) === JSON.stringify(labels))?.value;
}

const json = (v: unknown) => JSON.stringify(v);

describe("GET /metrics", { timeout: 60_000 }, () => {
  it("requires the admin token: none, an API token and a wrong token are refused", async () => {
    expect((await call("/metrics", { auth: false })).status).toBe(401);
    expect((await call("/metrics")).status).toBe(401);
    expect((await call("/metrics", { headers: { authorization: "Bearer not-the-admin-token" } })).status).toBe(401);
  });

  it("serves every series with HELP and TYPE, eskit's under eskit's names and types", async () => {
    const s = await scrape();
    expect(Object.fromEntries(s.types)).toEqual({
      eskit_events_store_total: "counter",
      eskit_events_crud_total: "counter",
      statehouse_events_committed_total: "counter",
      statehouse_commands_total: "counter",
      statehouse_errors_total: "counter",
      eskit_events_stream_last_id: "gauge",
      eskit_events_stream_count: "counter",
      statehouse_log_entries: "gauge",
      statehouse_log_hot_entries: "gauge",
      statehouse_read_side_lag_events: "gauge",
      statehouse_read_side_oldest_wait_seconds: "gauge",
      statehouse_read_side_parked_events: "gauge",
      statehouse_dead_letters_pending: "gauge",
    });
    expect(valueOf(s, "statehouse_dead_letters_pending")).toBe(0);
    expect(valueOf(s, "statehouse_read_side_parked_events", { read_side: "$log" })).toBe(0);
  });

  it("counts eskit appends, CRUD events and commands' events once the consumer has run", async () => {
    const user = freshType("User");
    const doc = freshType("Doc");
    const id = freshId("metrics-user");
    await appendAll([eskitEvent(id, 1, `${user}.Created`), eskitEvent(id, 2, `${user}.Renamed`), eskitEvent(id, 3, `${user}.Renamed`)]);
    const { originator } = await crudstore().create({ entityType: doc, payload: json({ n: 1 }) });
    await crudstore().update({ entityType: doc, originator, payload: json({ n: 2 }) });
    const account = freshId("metrics-acct");
    for (let i = 0; i < 2; i++) expect((await command(account, { command: { "@type": "type.googleapis.com/test.v1.Deposit", amount: "5", note: "x" } })).status).toBe(200);

    const s = await eventually(async () => {
      const now = await scrape();
      expect(valueOf(now, "eskit_events_store_total", { entity_type: user, event_type: "Renamed" })).toBe(2);
      expect(valueOf(now, "eskit_events_crud_total", { entity_type: doc, event_type: "Updated" })).toBe(1);
      expect(valueOf(now, "statehouse_log_entries")).toBeGreaterThanOrEqual(7);
      return now;
    });
    expect(valueOf(s, "eskit_events_store_total", { entity_type: user, event_type: "Created" })).toBe(1);
    expect(valueOf(s, "eskit_events_crud_total", { entity_type: user, event_type: "Created" })).toBeUndefined();
    expect(valueOf(s, "eskit_events_crud_total", { entity_type: doc, event_type: "Created" })).toBe(1);
    expect(valueOf(s, "eskit_events_store_total", { entity_type: doc, event_type: "Created" })).toBe(1);
    expect(valueOf(s, "statehouse_events_committed_total", { event_type: `${user}.Renamed` })).toBe(2);
    expect(valueOf(s, "statehouse_events_committed_total", { event_type: "test.v1.Deposit" })).toBeGreaterThanOrEqual(2);
    expect(s.samples.filter((x) => x.name === "eskit_events_store_total" && x.labels.entity_type === "test.v1")).toEqual([]);

    const head = ((await (await call("/api/v1/log?limit=1")).json()) as { head_offset: number }).head_offset;
    expect(valueOf(s, "eskit_events_stream_last_id")).toBeLessThanOrEqual(head);
    expect(valueOf(s, "eskit_events_stream_count")).toBe(valueOf(s, "eskit_events_stream_last_id"));
    await eventually(async () => expect(valueOf(await scrape(), "statehouse_read_side_lag_events", { read_side: "$log" })).toBe(0));
  });

  it("shows a read side's lag and parked events", async () => {
    const side = freshReadSideId("met");
    // Revision 5 is this entity's alone: the new read side also sweeps the other tests' entities.
    await behave(side, { mode: "fail-revisions", failRevisions: [5] });
    await createReadSide({ id: side, policy: "SKIP" });
    await command(freshId("metrics-rs"), { command: { events: [1, 2, 3, 4, 5, 6].map((i) => ({ i })) } });
    const s = await eventually(async () => {
      const now = await scrape();
      expect(valueOf(now, "statehouse_read_side_parked_events", { read_side: side })).toBe(1);
      expect(valueOf(now, "statehouse_read_side_lag_events", { read_side: side })).toBe(0);
      return now;
    });
    expect(valueOf(s, "statehouse_read_side_lag_events", { read_side: "$log" })).toBeGreaterThanOrEqual(0);
  });

  it("counts a paused read side's lag in events, the whole history of entities it has not reached", async () => {
    const side = freshReadSideId("lag");
    await createReadSide({ id: side, enabled: false });
    const before = valueOf(await scrape(), "statehouse_read_side_lag_events", { read_side: side }) ?? -1;
    expect(before).toBeGreaterThan(0);
    const e = freshId("metrics-lag");
    await command(e, { command: { events: [1, 2, 3].map((i) => ({ i })) } });
    await eventually(async () => expect(valueOf(await scrape(), "statehouse_read_side_lag_events", { read_side: side })).toBe(before + 3));
    // Its oldest event has waited at least as long as this test has; a caught-up side waits 0.
    await new Promise((r) => setTimeout(r, 1_100));
    const s = await scrape();
    expect(valueOf(s, "statehouse_read_side_oldest_wait_seconds", { read_side: side })).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(valueOf(await scrape(), "statehouse_read_side_oldest_wait_seconds", { read_side: "$log" })).toBe(0));
  });
});

describe("commands and errors counted by the front door", { timeout: 60_000 }, () => {
  it("counts commands by outcome and errors by code, written from each isolate at most every 10 s", async () => {
    const before = await scrape();
    const ok = (s: Scrape) => valueOf(s, "statehouse_commands_total", { outcome: "ok" }) ?? 0;
    const invalid = (s: Scrape) => valueOf(s, "statehouse_errors_total", { code: "invalid_argument" }) ?? 0;
    const e = freshId("counted");
    for (let i = 0; i < 3; i++) expect((await command(e, { command: { events: [{ n: i }] } })).status).toBe(200);
    const bad = await call(`/api/v1/entities/${e}/commands`, { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    // The counts reach D1 with a later request's write (the scrapes below are requests too).
    await eventually(async () => {
      const now = await scrape();
      expect(ok(now) - ok(before)).toBeGreaterThanOrEqual(3);
      expect(invalid(now) - invalid(before)).toBeGreaterThanOrEqual(1);
    }, 40_000);
    expect((await scrape()).types.get("statehouse_commands_total")).toBe("counter");
  });
});
