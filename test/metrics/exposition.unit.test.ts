// Prometheus text rendering and the per-batch counter deltas, in Node.
import { describe, expect, it } from "vitest";
import { splitEskitType } from "../../src/eskit/store/index.js";
import { countRows, escapeLabelValue, labelsKey, renderExposition } from "../../src/metrics/index.js";
import type { LogRow } from "../../src/eventlog/index.js";

const counter = { name: "x_total", type: "counter" as const, help: "Things\\counted\nper line." };

describe("renderExposition", () => {
  it("writes HELP and TYPE before each family's samples and ends with a newline", () => {
    const text = renderExposition([
      { spec: counter, samples: [{ labels: { a: "1", b: "two" }, value: 3 }] },
      { spec: { name: "y", type: "gauge", help: "Y." }, samples: [{ labels: {}, value: 0 }] },
    ]);
    expect(text).toBe(
      ["# HELP x_total Things\\\\counted\\nper line.", "# TYPE x_total counter", 'x_total{a="1",b="two"} 3', "# HELP y Y.", "# TYPE y gauge", "y 0", ""].join("\n"),
    );
  });

  it("escapes backslashes, double quotes and newlines in label values", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = renderExposition([{ spec: counter, samples: [{ labels: { t: 'say "hi"\\\n' }, value: 1 }] }]);
    expect(text.split("\n")[2]).toBe('x_total{t="say \\"hi\\"\\\\\\n"} 1');
  });

  it("keeps HELP and TYPE for a family with no samples", () => {
    expect(renderExposition([{ spec: counter, samples: [] }])).toBe("# HELP x_total Things\\\\counted\\nper line.\n# TYPE x_total counter\n");
  });

  it("writes NaN and infinities by name", () => {
    const text = renderExposition([{ spec: counter, samples: [NaN, Infinity, -Infinity].map((value) => ({ labels: {}, value })) }]);
    expect(text.split("\n").slice(2, 5)).toEqual(["x_total NaN", "x_total +Inf", "x_total -Inf"]);
  });
});

const row = (revision: number, eventType: string, eskit: boolean): LogRow => ({
  entityId: "e",
  revision,
  eventType,
  eskit,
  event: undefined,
  meta: new Uint8Array(),
  state: undefined,
});

describe("countRows", () => {
  it("splits eskit types at the last dot, as eskit's exporter did", () => {
    expect(splitEskitType("com.acme.User.Created")).toEqual({ entityType: "com.acme.User", eventType: "Created" });
    expect(splitEskitType("Plain")).toEqual({ entityType: "", eventType: "Plain" });
  });

  it("counts an eskit append's events in the store and committed totals, aggregated per label set", () => {
    const deltas = countRows("user-1", [row(1, "User.Created", true), row(2, "User.Renamed", true), row(3, "User.Renamed", true)]);
    expect(deltas).toEqual(
      expect.arrayContaining([
        { series: "statehouse_events_committed_total", labels: labelsKey({ event_type: "User.Renamed" }), value: 2 },
        { series: "eskit_events_store_total", labels: labelsKey({ entity_type: "User", event_type: "Created" }), value: 1 },
        { series: "eskit_events_store_total", labels: labelsKey({ entity_type: "User", event_type: "Renamed" }), value: 2 },
      ]),
    );
    expect(deltas.filter((d) => d.series === "eskit_events_crud_total")).toEqual([]);
    expect(deltas).toHaveLength(4);
  });

  it("counts a CRUD document's events in the crud total too", () => {
    const deltas = countRows("$crud/Doc/1", [row(1, "Doc.Created", true)]);
    expect(deltas.map((d) => d.series).sort()).toEqual(["eskit_events_crud_total", "eskit_events_store_total", "statehouse_events_committed_total"]);
  });

  it("counts other events only in the committed total, by type name", () => {
    expect(countRows("acct-1", [row(1, "bank.v1.Deposited", false)])).toEqual([
      { series: "statehouse_events_committed_total", labels: '{"event_type":"bank.v1.Deposited"}', value: 1 },
    ]);
  });

  it("keys labels with sorted names", () => {
    expect(labelsKey({ b: "2", a: "1" })).toBe('{"a":"1","b":"2"}');
  });
});
