// A segment's protobuf form: entries read back as appended, and the split's size estimate never falls short.
import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { decodeSegment, encodeSegment, fromLogFeedRow, segmentRowBytes, toLogFeedRow } from "../../src/eventlog/segment-codec.js";
import { LogFeedMessageSchema } from "../../src/gen/statehouse/v1/feed_pb.js";
import { logRow, logRows } from "./log-rows.js";

describe("segment codec", () => {
  it("reads back a segment's rows at consecutive offsets from the first, with its time and partition", () => {
    const rows = logRows("acct-1", 4, 3);
    const entries = decodeSegment(encodeSegment(rows, 10, 1234), 2);
    expect(entries.map((e) => [e.partition, e.offset, e.revision, e.appendedAt])).toEqual([
      [2, 10, 4, 1234],
      [2, 11, 5, 1234],
      [2, 12, 6, 1234],
    ]);
    expect(entries.map((e) => [e.entityId, e.eventType, [...e.meta], [...(e.event ?? [])]])).toEqual(
      rows.map((r) => [r.entityId, r.eventType, [...r.meta], [...(r.event ?? [])]]),
    );
  });

  it("keeps the eskit flag, an omitted event and a kept state apart", () => {
    const rows = [
      { ...logRow("doc-1", 1, "Project.Created"), eskit: true, state: new Uint8Array([7]) },
      { ...logRow("doc-1", 2, "Project.Updated"), event: undefined },
    ];
    const [a, b] = decodeSegment(encodeSegment(rows, 1, 0), 0);
    expect(a?.eskit).toBe(true);
    expect([...(a?.state ?? [])]).toEqual([7]);
    expect(b?.eskit).toBeUndefined();
    expect(b?.event).toBeUndefined();
    expect(b?.state).toBeUndefined();
  });

  it("never stores a barrier in a segment, but carries one in a live row", () => {
    const barriers = [{ beforeOffset: 5, partition: 1, offset: 9 }];
    const stored = decodeSegment(encodeSegment([{ ...logRow("a", 1), barriers } as ReturnType<typeof logRow>], 5, 0), 0);
    expect(stored[0]?.barriers).toBeUndefined();
    const live = fromLogFeedRow(toLogFeedRow({ ...logRow("a", 1), offset: 5, appendedAt: 0, barriers }), 3);
    expect(live).toMatchObject({ partition: 3, offset: 5, barriers });
  });

  it("estimates a row's encoded size from above, even with large varints and non-ASCII names", () => {
    const rows = [
      { ...logRow("é-entité-ü", 4_000_000_000, "ñ.v1.Ünicode", 300), state: new Uint8Array(200) },
      logRow("a", 1, "t", 0),
    ];
    for (const row of rows) {
      const encoded = toBinary(LogFeedMessageSchema, create(LogFeedMessageSchema, { rows: [toLogFeedRow({ ...row, offset: 2 ** 52, appendedAt: 2 ** 50 })] }));
      expect(segmentRowBytes(row)).toBeGreaterThanOrEqual(encoded.byteLength);
    }
  });
});
