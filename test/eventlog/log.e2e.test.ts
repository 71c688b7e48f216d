// The global event log: every committed event once, gap-free offsets, per-entity order, reads and errors.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { storeOf } from "../support/pipeline.js";
import { call, command, connectClient, freshId } from "../helpers.js";
import { LogService } from "../../src/gen/statehouse/v1/log_pb.js";
import { eventually } from "../readside/helpers.js";

type Entry = { offset: number; entity_id: string; revision: number; event_type: string; event: any; meta: any };

async function readLog(query = ""): Promise<{ status: number; body: any }> {
  const res = await call(`/api/v1/log${query}`);
  return { status: res.status, body: await res.json() };
}

/** Every entry retention kept, page by page. */
async function wholeLog(): Promise<Entry[]> {
  const all: Entry[] = [];
  let from = 0;
  for (;;) {
    const { body } = await readLog(`?from=${from}&limit=1000`);
    all.push(...body.entries);
    if (body.entries.length === 0) return all;
    from = body.next_offset;
  }
}

function entriesOf(log: Entry[], entityId: string): Entry[] {
  return log.filter((e) => e.entity_id === entityId);
}

describe("the event log", { timeout: 60_000 }, () => {
  it("holds every event of every command once, in revision order per entity, at gap-free offsets", async () => {
    const a = freshId("log-a");
    const b = freshId("log-b");
    await Promise.all([
      (async () => {
        for (let i = 0; i < 5; i++) await command(a, { command: { events: [{ n: i, k: 1 }, { n: i, k: 2 }] } });
      })(),
      (async () => {
        for (let i = 0; i < 6; i++) await command(b, { command: { events: [{ n: i }] } });
      })(),
    ]);
    await eventually(async () => {
      const log = await wholeLog();
      expect(entriesOf(log, a)).toHaveLength(10);
      expect(entriesOf(log, b)).toHaveLength(6);
    });
    const log = await wholeLog();
    expect(log.map((e) => e.offset)).toEqual(log.map((_, i) => i + 1));
    expect(entriesOf(log, a).map((e) => e.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(entriesOf(log, b).map((e) => e.revision)).toEqual([1, 2, 3, 4, 5, 6]);
    const first = entriesOf(log, a)[1] as Entry;
    expect(first.event).toEqual({ n: 0, k: 2 });
    expect(first.event_type).toBe("google.protobuf.Struct");
    expect(first.meta.entity_id).toBe(a);
    expect(first.meta.revision_number).toBe(2);
  });

  it("pages with next_offset and filters by a type glob", async () => {
    const e = freshId("log-typed");
    await command(e, { command: { "@type": "type.googleapis.com/test.v1.Deposit", amount: "5", note: "x" } });
    await command(e, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(entriesOf(await wholeLog(), e)).toHaveLength(2));

    const typed = await readLog("?type=test.v1.*&limit=1000");
    expect(typed.status).toBe(200);
    const mine = (typed.body.entries as Entry[]).filter((x) => x.entity_id === e);
    expect(mine.map((x) => x.event_type)).toEqual(["test.v1.Deposit"]);
    expect((typed.body.entries as Entry[]).every((x) => x.event_type.startsWith("test.v1."))).toBe(true);

    const page = await readLog("?from=1&limit=1");
    expect(page.body.entries).toHaveLength(1);
    expect(page.body.next_offset).toBe(2);
    expect(page.body.head_offset).toBeGreaterThanOrEqual(2);
  });

  it("filters by entity on the server, alone and with a type glob, paging past other entities' entries", async () => {
    const a = freshId("log-ent-a");
    const b = freshId("log-ent-b");
    for (let i = 0; i < 3; i++) {
      await command(a, { command: { events: [{ n: i }] } });
      await command(b, { command: { events: [{ n: i }] } });
    }
    await command(a, { command: { "@type": "type.googleapis.com/test.v1.Deposit", amount: "5", note: "x" } });
    await eventually(async () => expect(entriesOf(await wholeLog(), a)).toHaveLength(4));

    const only = await readLog(`?entity=${encodeURIComponent(a)}&limit=1000`);
    expect(only.status).toBe(200);
    expect((only.body.entries as Entry[]).map((x) => [x.entity_id, x.revision])).toEqual([1, 2, 3, 4].map((r) => [a, r]));

    // One at a time: each page's next_offset skips b's entries in between.
    const paged: number[] = [];
    let from = 0;
    for (let i = 0; i < 10 && paged.length < 4; i++) {
      const page = await readLog(`?entity=${encodeURIComponent(a)}&from=${from}&limit=1`);
      paged.push(...(page.body.entries as Entry[]).map((x) => x.revision));
      from = page.body.next_offset;
    }
    expect(paged).toEqual([1, 2, 3, 4]);

    const typed = await readLog(`?entity=${encodeURIComponent(a)}&type=test.v1.*&limit=1000`);
    expect((typed.body.entries as Entry[]).map((x) => [x.revision, x.event_type])).toEqual([[4, "test.v1.Deposit"]]);

    // An entity with no events: an empty page that still moves on to the head.
    const none = await readLog(`?entity=no-such-${a}&limit=1000`);
    expect(none.body.entries).toEqual([]);
    expect(none.body.next_offset).toBe(none.body.head_offset + 1);

    const long = await readLog(`?entity=${"x".repeat(257)}`);
    expect(long.status).toBe(400);
    expect(long.body.code).toBe("invalid_argument");
    expect(long.body.message).toContain("entity");
  });

  it("answers the next offset with an empty page at the head, and refuses offsets outside the log", async () => {
    const e = freshId("log-range");
    await command(e, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(entriesOf(await wholeLog(), e)).toHaveLength(1));
    const { body } = await readLog("?from=1&limit=1");
    const head = body.head_offset as number;

    const atHead = await readLog(`?from=${head + 1}`);
    expect(atHead.status).toBe(200);
    expect(atHead.body.entries).toEqual([]);
    expect(atHead.body.next_offset).toBe(head + 1);

    const beyond = await readLog(`?from=${head + 2}`);
    expect(beyond.status).toBe(400);
    expect(beyond.body.code).toBe("out_of_range");
    expect(beyond.body.message).toContain(`head of the log (${head})`);

    for (const q of ["?from=abc", "?from=-1", "?limit=0x", "?limit=1001", "?type=bank v1", "?type=a;b"]) {
      const bad = await readLog(q);
      expect(bad.status, q).toBe(400);
      expect(bad.body.code, q).toBe("invalid_argument");
    }
  });

  it("keeps offsets increasing across retention, and refuses an offset retention deleted", async () => {
    const e = freshId("log-trim");
    for (let i = 0; i < 4; i++) await command(e, { command: { events: [{ n: i }] } });
    await eventually(async () => expect(entriesOf(await wholeLog(), e)).toHaveLength(4));
    const before = await readLog("?from=1&limit=1");
    const head = before.body.head_offset as number;
    const firstBefore = before.body.first_offset as number;

    // Keep the newest two events: whole segments (consumer batches) go, oldest first, never the newest.
    const deleted = await storeOf(e).trimLog({ days: 0, events: 2 }, Date.now(), 50);
    const after = await readLog("?limit=1000");
    const first = after.body.first_offset as number;
    expect(deleted).toBe(first - firstBefore);
    expect(first).toBeGreaterThan(firstBefore);
    expect(first).toBeLessThanOrEqual(head - 1);
    expect((after.body.entries as Entry[]).map((x) => x.offset)).toEqual(Array.from({ length: head - first + 1 }, (_, i) => first + i));

    const gone = await readLog(`?from=${firstBefore}`);
    expect(gone.status).toBe(400);
    expect(gone.body.code).toBe("out_of_range");
    expect(gone.body.message).toContain(`from ${first}`);

    // Retention by age deletes everything older, except the newest segment.
    expect(await storeOf(e).trimLog({ days: 1, events: 0 }, Date.now() + 2 * 86_400_000, 50)).toBeGreaterThanOrEqual(0);
    expect((await readLog("?limit=1000")).body.entries.at(-1).offset).toBe(head);
    await command(e, { command: { events: [{ n: 9 }] } });
    await eventually(async () => expect((await readLog(`?from=${head + 1}`)).body.entries).toHaveLength(1));
    expect((await readLog(`?from=${head + 1}`)).body.entries[0].revision).toBe(5);
  });

  it("cuts a page of large entries at 4 MiB of payload and continues at next_offset", async () => {
    const e = freshId("log-big");
    const pad = "x".repeat(900_000);
    for (let i = 1; i <= 5; i++) expect((await command(e, { command: { events: [{ n: i, pad }] } })).status).toBe(200);
    await eventually(async () => expect(entriesOf(await wholeLog(), e)).toHaveLength(5));
    const all = entriesOf(await wholeLog(), e);
    const first = await readLog(`?from=${all[0]?.offset}&limit=100`);
    const got = (first.body.entries as Entry[]).filter((x) => x.entity_id === e);
    // Each entry holds ~0.9 MB of payload (the protobuf bytes, as stored): four fit in 4 MiB, not five.
    expect(got.map((x) => x.revision)).toEqual([1, 2, 3, 4]);
    expect(first.body.next_offset).toBe((got.at(-1)?.offset as number) + 1);
    const rest = await readLog(`?from=${first.body.next_offset}&limit=100`);
    expect((rest.body.entries as Entry[]).filter((x) => x.entity_id === e).map((x) => x.revision)).toEqual([5]);
  });

  it("is read over Connect too", async () => {
    const e = freshId("log-connect");
    await command(e, { command: { events: [{ n: 1 }, { n: 2 }] } });
    await eventually(async () => expect(entriesOf(await wholeLog(), e)).toHaveLength(2));
    const client = connectClient(LogService);
    const at = entriesOf(await wholeLog(), e)[0]?.offset as number;
    const all = await client.read({ fromOffset: BigInt(at), limit: 1000 });
    const mine = all.entries.filter((x) => x.entityId === e);
    expect(mine.map((x) => x.revision)).toEqual([1, 2]);
    expect(mine[0]?.meta?.revisionNumber).toBe(1);
    expect(all.nextOffset).toBe(all.headOffset + 1n);
  });
});

describe("consumer positions", { timeout: 60_000 }, () => {
  it("stores, reads and lists a named consumer's offset", async () => {
    const e = freshId("pos");
    await command(e, { command: { events: [{ n: 1 }] } });
    await eventually(async () => expect(entriesOf(await wholeLog(), e)).toHaveLength(1));
    const put = await call("/api/v1/log/consumers/billing.projector", { method: "PUT", body: JSON.stringify({ offset: 1 }) });
    expect(put.status).toBe(200);
    expect(((await put.json()) as any).offset).toBe(1);
    const got = (await (await call("/api/v1/log/consumers/billing.projector")).json()) as any;
    expect(got).toMatchObject({ consumer_id: "billing.projector", offset: 1 });
    const list = (await (await call("/api/v1/log/consumers")).json()) as any;
    expect(list.consumers.map((c: any) => c.consumer_id)).toContain("billing.projector");

    const client = connectClient(LogService);
    await client.setConsumerPosition({ consumerId: "rpc-consumer", offset: 1n });
    expect((await client.getConsumerPosition({ consumerId: "rpc-consumer" })).offset).toBe(1n);
  });

  it("answers not_found for an unknown consumer and refuses bad ids and offsets", async () => {
    const unknown = await call("/api/v1/log/consumers/nobody-here");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).code).toBe("not_found");
    const beyond = await call("/api/v1/log/consumers/c1", { method: "PUT", body: JSON.stringify({ offset: 10_000_000 }) });
    expect(beyond.status).toBe(400);
    expect(((await beyond.json()) as any).code).toBe("out_of_range");
    for (const body of ['{"offset": -1}', '{"offset": "x"}', "{}", '{"offset": 1.5}']) {
      const bad = await call("/api/v1/log/consumers/c1", { method: "PUT", body });
      expect(bad.status, body).toBe(400);
    }
    const badId = await call("/api/v1/log/consumers/.hidden", { method: "PUT", body: '{"offset": 0}' });
    expect(badId.status).toBe(400);
  });
});

describe("the log's read side", () => {
  it("is not shown or changed by the admin APIs", async () => {
    const admin = { authorization: "Bearer admin-token-0123456789abcdef" };
    const list = (await (await call("/admin/v1/read-sides", { headers: admin })).json()) as any;
    expect(list.read_sides.map((r: any) => r.id)).not.toContain("$log");
    const one = await call(`/admin/v1/read-sides/${encodeURIComponent("$log")}`, { headers: admin });
    expect([400, 404]).toContain(one.status);
    const del = await call(`/admin/v1/read-sides/${encodeURIComponent("$log")}`, { method: "DELETE", headers: admin });
    expect([400, 404]).toContain(del.status);
    const row = await env.DB.prepare("SELECT enabled FROM sh_read_side WHERE id = '$log'").first<{ enabled: number }>();
    expect(row?.enabled).toBe(1);
  });
});
