// The event log over two partitions: positions of one offset per partition, pages and streams that resume exactly, eskit's ids, consumers.
import { describe, expect, it } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { LogService } from "../../src/gen/statehouse/v1/log_pb.js";
import { call, command, connectClient, freshId } from "../helpers.js";
import { consumers, eventstore } from "../eskit/helpers.js";
import { eventually } from "../readside/helpers.js";
import { sseReader, streamReader } from "../streams/helpers.js";
import { partitionsOf } from "../support/pipeline.js";

type Entry = { offset: number; partition: number; position: string; entity_id: string; revision: number };

/** A fresh entity id whose shard belongs to partition `p`. */
function idIn(p: number, prefix: string): string {
  for (;;) {
    const id = freshId(prefix);
    if (partitionsOf().partitionOf(id) === p) return id;
  }
}

async function readLog(query: string): Promise<{ status: number; body: any }> {
  const res = await call(`/api/v1/log${query}`);
  return { status: res.status, body: await res.json() };
}

/** Every entry, page by page from `from`, following `next`. */
async function wholeLog(from = "", limit = 3): Promise<Entry[]> {
  const all: Entry[] = [];
  let next = from;
  for (let pages = 0; pages < 500; pages++) {
    const page = await readLog(`?limit=${limit}${next === "" ? "" : `&from=${next}`}`);
    expect(page.status).toBe(200);
    all.push(...(page.body.entries as Entry[]));
    if (page.body.entries.length === 0 && page.body.next === next) return all;
    next = page.body.next as string;
  }
  throw new Error("the log never ended");
}

/** Commits `n` one-event commands on each entity, interleaved. */
async function commitAll(ids: string[], n: number): Promise<void> {
  for (let i = 1; i <= n; i++) for (const e of ids) expect((await command(e, { command: { events: [{ i }] } })).status).toBe(200);
}

const key = (e: { entity_id: string; revision: number }) => `${e.entity_id}@${e.revision}`;

describe("the log over two partitions", { timeout: 60_000 }, () => {
  it("holds every committed event once, in revision order per entity, read page by page with positions", async () => {
    const ids = [idIn(0, "lg"), idIn(1, "lg"), idIn(1, "lg")];
    await commitAll(ids, 4);
    await eventually(async () => expect((await wholeLog()).filter((x) => ids.includes(x.entity_id))).toHaveLength(12));
    const all = await wholeLog();
    const mine = all.filter((x) => ids.includes(x.entity_id));
    expect(new Set(all.map(key)).size).toBe(all.length);
    for (const e of ids) expect(mine.filter((x) => x.entity_id === e).map((x) => x.revision)).toEqual([1, 2, 3, 4]);
    // Entries carry their partition and offset; a position has one offset per partition.
    for (const x of mine) expect(x.partition).toBe(partitionsOf().partitionOf(x.entity_id));
    expect(all.at(-1)?.position).toMatch(/^\d+-\d+$/);
    // Offsets are gap-free from 1 within each partition.
    for (const p of [0, 1]) {
      const offsets = all.filter((x) => x.partition === p).map((x) => x.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i + 1));
    }
    // One offset per partition in `head`; the numeric fields of a single log are not answered.
    const page = await readLog("?limit=1");
    expect(page.body.head).toMatch(/^\d+-\d+$/);
    expect(page.body.next_offset).toBeUndefined();
  });

  it("resumes after any entry's position with nothing skipped and nothing twice, and refuses a position past the head", async () => {
    const ids = [idIn(0, "rs"), idIn(1, "rs")];
    await commitAll(ids, 3);
    await eventually(async () => expect((await wholeLog()).filter((x) => ids.includes(x.entity_id))).toHaveLength(6));
    const all = await wholeLog();
    for (const x of all) {
      // The position after an entry, as a start: each component + 1. What it has consumed of
      // each partition is exactly what a read from there leaves out.
      const consumed = x.position.split("-").map(Number);
      const from = consumed.map((n) => n + 1).join("-");
      const rest = await wholeLog(from, 1000);
      expect(rest.map(key).sort()).toEqual(all.filter((y) => y.offset > (consumed[y.partition] as number)).map(key).sort());
      expect(new Set(rest.map(key)).size).toBe(rest.length);
    }
    const beyond = await readLog("?from=999999-1");
    expect(beyond.status).toBe(400);
    expect(beyond.body.code).toBe("out_of_range");
    expect(beyond.body.message).toContain("partition 0");
    const malformed = await readLog("?from=1-2-3");
    expect(malformed.body.code).toBe("invalid_argument");
    // A start from before partitions existed (one offset) reads partition 1 from its oldest entry.
    expect((await wholeLog("1", 1000)).map(key)).toEqual(all.map(key));
  });

  it("streams both partitions as Server-Sent Events, and Last-Event-ID resumes exactly", async () => {
    const ids = [idIn(0, "sse"), idIn(1, "sse")];
    await commitAll(ids, 2);
    await eventually(async () => expect((await wholeLog()).filter((x) => ids.includes(x.entity_id))).toHaveLength(4));
    const before = await wholeLog();
    const res = await call("/api/v1/log/stream?from=1-1");
    expect(res.status).toBe(200);
    const r = sseReader(res);
    const first = await r.take(before.length);
    await r.close();
    expect(first.map((x) => `${x.data.entity_id}@${x.data.revision}`).sort()).toEqual(before.map(key).sort());
    const lastId = first.at(-1)?.id as string;
    expect(lastId).toMatch(/^\d+-\d+$/);
    // New events while the client is away; it comes back with the last id it saw.
    await commitAll(ids, 1);
    const again = await call("/api/v1/log/stream", { headers: { "last-event-id": lastId } });
    const r2 = sseReader(again);
    const rest = await r2.take(2);
    await r2.close();
    expect(rest.map((x) => x.data.entity_id).sort()).toEqual([...ids].sort());
    expect(rest.every((x) => !first.some((f) => f.id === x.id))).toBe(true);
  });

  it("filters by entity across both partitions: page by page with `next`, odd ids, and an SSE stream resumed by Last-Event-ID", async () => {
    // Ids with a space, a slash, a percent sign, a plus and non-ASCII letters, in both partitions.
    const a = idIn(0, "fé 50%+/x");
    const b = idIn(1, "fé 50%+/y");
    await commitAll([a, b], 4);
    await eventually(async () => expect((await wholeLog()).filter((x) => x.entity_id === a || x.entity_id === b)).toHaveLength(8));
    for (const e of [a, b]) {
      const got: Entry[] = [];
      let next = "";
      for (let pages = 0; pages < 100; pages++) {
        const page = await readLog(`?limit=1&entity=${encodeURIComponent(e)}${next === "" ? "" : `&from=${next}`}`);
        expect(page.status).toBe(200);
        got.push(...(page.body.entries as Entry[]));
        if (page.body.entries.length === 0 && page.body.next === next) break;
        next = page.body.next as string;
      }
      expect(got.map(key)).toEqual([1, 2, 3, 4].map((r) => `${e}@${r}`));
    }
    // The stream of b only; the client goes away after two and comes back with the last id it saw.
    const res = await call(`/api/v1/log/stream?from=1-1&entity=${encodeURIComponent(b)}`);
    const r = sseReader(res);
    const first = await r.take(2);
    await r.close();
    expect(first.map((x) => `${x.data.entity_id}@${x.data.revision}`)).toEqual([`${b}@1`, `${b}@2`]);
    await commitAll([a, b], 1);
    const again = await call(`/api/v1/log/stream?entity=${encodeURIComponent(b)}`, { headers: { "last-event-id": first.at(-1)?.id as string } });
    const r2 = sseReader(again);
    const rest = await r2.take(3);
    await r2.close();
    expect(rest.map((x) => `${x.data.entity_id}@${x.data.revision}`)).toEqual([3, 4, 5].map((n) => `${b}@${n}`));
  });

  it("SubscribeAll and LogService.Read resume from a position", async () => {
    const ids = [idIn(0, "sa"), idIn(1, "sa")];
    await commitAll(ids, 2);
    await eventually(async () => expect((await wholeLog()).filter((x) => ids.includes(x.entity_id))).toHaveLength(4));
    const all = await wholeLog();
    const log = connectClient(LogService);
    const page = await log.read({ limit: 2 });
    expect(page.entries).toHaveLength(2);
    const rest = await log.read({ fromPosition: page.entries[1]?.position ?? "", limit: 1000 });
    expect([...page.entries, ...rest.entries].map((x) => `${x.entityId}@${x.revision}`)).toEqual(all.map(key));
    expect(rest.headOffsets).toHaveLength(2);

    const abort = new AbortController();
    const sub = streamReader(connectClient(ChiefOfStateService).subscribeAll({ fromPosition: all[1]?.position ?? "" }, { signal: abort.signal }));
    const got = await sub.take(all.length - 2);
    abort.abort();
    expect(got.map((m) => `${m.meta?.entityId}@${m.meta?.revisionNumber}`).sort()).toEqual(all.slice(2).map(key).sort());
    expect(got.every((m) => /^\d+-\d+$/.test(m.position))).toBe(true);
  });

  it("gives eskit's Logs ids that from_id includes, and LogConsume remembers exactly what was handled", async () => {
    const ids = [idIn(0, "esk"), idIn(1, "esk")];
    await commitAll(ids, 2);
    await eventually(async () => expect((await wholeLog()).filter((x) => ids.includes(x.entity_id))).toHaveLength(4));
    const all = await wholeLog();
    const es = eventstore();
    const logs = await es.logs({ fromId: "1", size: 1000 });
    expect(logs.results).toHaveLength(all.length);
    for (const [i, entry] of logs.results.entries()) {
      expect(entry.id).toMatch(/^\d+-\d+@[01]$/);
      // from_id includes the entry it names (as eskit's Logs does).
      const from = await es.logs({ fromId: entry.id, size: 1 });
      expect(from.results[0]?.id).toBe(entry.id);
      if (i === 1) {
        await consumers().logConsume({ consumerId: "billing", offset: entry.id });
        const stored = await consumers().getLogConsume({ consumerId: "billing" });
        // The stored position resumes after the entry: nothing handled is read again, nothing skipped.
        const resumed = await readLog(`?from=${stored.offset.split("-").map((n) => Number(n) + 1).join("-")}&limit=1000`);
        expect((resumed.body.entries as Entry[]).map(key)).toEqual(all.slice(2).map(key));
      }
    }
  });

  it("keeps named consumers' positions with one offset per partition, and refuses one past a partition's head", async () => {
    const ok = await call("/api/v1/log/consumers/proj", { method: "PUT", body: JSON.stringify({ position: "1-0" }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ consumer_id: "proj", position: "1-0" });
    expect(await (await call("/api/v1/log/consumers/proj")).json()).toMatchObject({ position: "1-0" });
    const past = await call("/api/v1/log/consumers/proj", { method: "PUT", body: JSON.stringify({ position: "0-999999" }) });
    expect(past.status).toBe(400);
    expect(((await past.json()) as any).code).toBe("out_of_range");
  });

  it("lists documents of one type from both partitions, by id", async () => {
    const type = `Part${Date.now().toString(36)}`;
    const docIds = Array.from({ length: 8 }, (_, i) => `d${i}`);
    for (const d of docIds) {
      const res = await call(`/api/v1/docs/${type}/${d}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ d }) });
      expect(res.status).toBe(201);
    }
    const parts = new Set(docIds.map((d) => partitionsOf().partitionOf(`$crud/${type}/${d}`)));
    expect(parts.size).toBe(2);
    await eventually(async () => {
      const page = (await (await call(`/api/v1/docs/${type}?limit=100`)).json()) as any;
      expect(page.documents.map((x: { id: string }) => x.id)).toEqual(docIds);
    });
    const first = (await (await call(`/api/v1/docs/${type}?limit=3`)).json()) as any;
    expect(first.documents.map((x: { id: string }) => x.id)).toEqual(["d0", "d1", "d2"]);
    const second = (await (await call(`/api/v1/docs/${type}?limit=3&after=${first.next_after}`)).json()) as any;
    expect(second.documents.map((x: { id: string }) => x.id)).toEqual(["d3", "d4", "d5"]);
  });
});
