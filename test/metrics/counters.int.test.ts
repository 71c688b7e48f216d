// The metrics' counters ride on the `$log` append's compare-and-set: a lost race or a stale batch counts nothing.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { labelsKey } from "../../src/metrics/index.js";
import { freshId } from "../helpers.js";
import { commitLogRows, logGeneration, partitionsOf } from "../support/pipeline.js";

/** The `$log` pair's commit of eskit events `type`.Happened at revisions from..to, after a cursor at from - 1. */
function commitFor(entityId: string, generation: string, from: number, to: number, type: string) {
  const rows = Array.from({ length: to - from + 1 }, (_, i) => ({
    revision: from + i,
    eventType: `${type}.Happened`,
    eskit: true,
    event: new Uint8Array([1]),
    meta: toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: from + i })),
    state: undefined,
  }));
  return commitLogRows(entityId, generation, 0, rows);
}

/** A counter's value added up over every partition (as a scrape adds them). */
async function counter(series: string, labels: Record<string, string>): Promise<number | undefined> {
  const p = partitionsOf();
  const key = labelsKey(labels);
  let total: number | undefined;
  for (const i of p.all) {
    const found = (await p.store(i).metrics()).counters.find((c) => c.series === series && c.labels === key);
    if (found !== undefined) total = (total ?? 0) + found.value;
  }
  return total;
}

describe("metric counters", () => {
  it("count once when two consumers commit the same rows from the same cursor", async () => {
    const type = `Race${Date.now().toString(36)}`;
    const g = await logGeneration();
    const e = freshId("race");
    await Promise.all([commitFor(e, g, 1, 3, type), commitFor(e, g, 1, 3, type)]);
    expect(await counter("eskit_events_store_total", { entity_type: type, event_type: "Happened" })).toBe(3);
    expect(await counter("statehouse_events_committed_total", { event_type: `${type}.Happened` })).toBe(3);
    expect(await counter("eskit_events_crud_total", { entity_type: type, event_type: "Happened" })).toBeUndefined();
  });

  it("count nothing for a stale batch, and add the next batch's events", async () => {
    const type = `Stale${Date.now().toString(36)}`;
    const g = await logGeneration();
    const e = `$crud/${type}/${freshId("doc")}`;
    await commitFor(e, g, 1, 2, type);
    await commitFor(e, g, 3, 3, type);
    const stale = await commitFor(e, g, 1, 2, type);
    expect(stale.appended).toEqual([]);
    expect(await counter("eskit_events_crud_total", { entity_type: type, event_type: "Happened" })).toBe(3);
    expect(await counter("eskit_events_store_total", { entity_type: type, event_type: "Happened" })).toBe(3);
  });

  it("count nothing for rows of another generation", async () => {
    const type = `Gen${Date.now().toString(36)}`;
    await commitFor(freshId("gen"), "not-the-generation", 1, 1, type);
    expect(await counter("statehouse_events_committed_total", { event_type: `${type}.Happened` })).toBeUndefined();
  });
});
