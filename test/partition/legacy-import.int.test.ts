// Upgrading a deployment from before partitions: partition 0 takes over what D1 held, and nothing is re-delivered, lost or renumbered.
import { env } from "cloudflare:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { beforeAll, describe, expect, it } from "vitest";
import { MetaDataSchema } from "../../src/gen/chief_of_state/v1/common_pb.js";
import { encodeBase64 } from "../../src/payload/index.js";
import { call, command, freshId, structAny } from "../helpers.js";
import { admin, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "../readside/helpers.js";
import { cursorOf, generationOf, logGeneration, partitionsOf } from "../support/pipeline.js";

const side = freshReadSideId("old");
const e1 = freshId("old-a");
const e2 = freshId("old-b");
const DAY = 86_400_000;

/** A log row as the version before partitions stored it in D1 (payloads base64). */
function oldLogRow(offset: number, entityId: string, revision: number, appendedAt: number) {
  const event = encodeBase64(toBinary(AnySchema, structAny({ old: revision })));
  const meta = encodeBase64(toBinary(MetaDataSchema, create(MetaDataSchema, { entityId, revisionNumber: revision })));
  return env.DB.prepare("INSERT INTO sh_log (log_offset, entity_id, revision, event_type, event, meta, state, appended_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)").bind(
    offset,
    entityId,
    revision,
    "google.protobuf.Struct",
    event,
    meta,
    appendedAt,
  );
}

beforeAll(async () => {
  // What D1 holds after the old version ran: read side `side` handled e1 through 2 and stopped on
  // e2's revision 2; the log kept offsets 5..8 (retention deleted 1..4); a document was indexed;
  // a consumer stored offset 6; counters counted the 8 events.
  await behave(side, { mode: "ok" });
  await createReadSide({ id: side, policy: "STOP", auto_start: false });
  await env.DB.prepare("UPDATE sh_read_side SET paused = 0 WHERE id = ?").bind(side).run();
  const g = (await generationOf(side)) as string;
  const lg = await logGeneration();
  const shard = (e: string) => partitionsOf().shardOf(e);
  const now = Date.now() - DAY;
  await env.DB.batch([
    env.DB.prepare("INSERT INTO sh_entity (entity_id, shard, head_revision, updated_at) VALUES (?, ?, 2, ?), (?, ?, 2, ?)").bind(e1, shard(e1), now, e2, shard(e2), now),
    env.DB.prepare(
      `INSERT INTO sh_cursor (read_side_id, entity_id, shard, generation, epoch, revision, status, attempts, failed_revision, last_error, retry_at, restarted_at, updated_at)
       VALUES (?1, ?2, ?3, ?4, 0, 2, 'ok', 0, 0, NULL, 0, 0, ?7), (?1, ?5, ?6, ?4, 0, 1, 'stopped', 1, 2, 'unavailable: down', 0, 0, ?7),
              ('$log', ?2, ?3, ?8, 0, 2, 'ok', 0, 0, NULL, 0, 0, ?7), ('$log', ?5, ?6, ?8, 0, 2, 'ok', 0, 0, NULL, 0, 0, ?7)`,
    ).bind(side, e1, shard(e1), g, e2, shard(e2), now, lg),
    env.DB.prepare("INSERT INTO sh_parked (read_side_id, entity_id, revision, reason, attempts, parked_at) VALUES (?, ?, 1, 'skipped by an operator', 2, ?)").bind(side, e2, now),
    env.DB.prepare("INSERT INTO sh_crud_doc (entity_type, doc_id, revision, deleted, updated_at) VALUES ('Legacy', 'doc-1', 3, 0, ?)").bind(now),
    oldLogRow(5, e1, 1, now),
    oldLogRow(6, e2, 1, now),
    oldLogRow(7, e1, 2, now + 5),
    oldLogRow(8, e2, 2, now + 5),
    env.DB.prepare("INSERT INTO sh_log_consumer (consumer_id, log_offset, updated_at) VALUES ('billing', 6, ?)").bind(now),
    env.DB.prepare("INSERT INTO sh_metric_counter (series, labels, value, updated_at) VALUES ('statehouse_events_committed_total', '{\"event_type\":\"google.protobuf.Struct\"}', 8, ?)").bind(now),
  ]);
});

describe("upgrading from before partitions", { timeout: 60_000 }, () => {
  it("keeps the read sides' cursors: the entities' first events are not delivered again, the next ones once", async () => {
    // The entities' journals (the old version committed these before the upgrade).
    for (const e of [e1, e2]) await command(e, { command: { events: [{ n: 1 }, { n: 2 }] } });
    await command(e1, { command: { events: [{ n: 3 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, e1))).toEqual([3]));
    expect(await cursorOf(side, e2)).toMatchObject({ revision: 1, status: "stopped", failedRevision: 2, lastError: "unavailable: down" });
    const status = await admin(`/read-sides/${side}/status`);
    expect(status.body).toMatchObject({ stopped: 1, parked: 1 });
    expect((await admin(`/read-sides/${side}/parked`)).body.parked).toMatchObject([{ entity_id: e2, revision: 1 }]);
  });

  it("keeps the log's offsets: the old entries first, then the new ones, each once", async () => {
    await eventually(async () => {
      const page = (await (await call("/api/v1/log?from=5&limit=100")).json()) as any;
      const got = page.entries.map((x: any) => [x.offset, x.entity_id === e1 ? "e1" : "e2", x.revision]);
      expect(got).toEqual([
        [5, "e1", 1],
        [6, "e2", 1],
        [7, "e1", 2],
        [8, "e2", 2],
        [9, "e1", 3],
      ]);
      expect(page.first_offset).toBe(5);
      expect(page.entries[0].event).toEqual({ old: 1 });
    });
    const gone = await call("/api/v1/log?from=4");
    expect(gone.status).toBe(400);
    expect(await call("/api/v1/log/consumers/billing").then((r) => r.json())).toMatchObject({ offset: 6 });
  });

  it("keeps the documents' index and adds the counters kept before to those kept since", async () => {
    expect(await partitionsOf().store(0).listDocs("Legacy", "", 10)).toEqual([{ docId: "doc-1", version: 3 }]);
    const metrics = await call("/metrics", { headers: { authorization: "Bearer admin-token-0123456789abcdef" } });
    const text = await metrics.text();
    const line = text.split("\n").find((l) => l.startsWith('statehouse_events_committed_total{event_type="google.protobuf.Struct"}'));
    expect(Number(line?.split(" ").at(-1))).toBeGreaterThanOrEqual(9);
  });
});
