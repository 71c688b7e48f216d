// Pause, resume, restart, per-shard control over CoS's ReadSideManagerService, filters and signatures.
import { describe, expect, it } from "vitest";
import { SELF } from "cloudflare:test";
import { shardOf } from "../../src/partition/index.js";
import { BASE, command, freshId } from "../helpers.js";
import { ADMIN_TOKEN, admin, assertOrdered, behave, callsOf, createReadSide, eventually, freshReadSideId, okRevisions } from "./helpers.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const emit = (n: number) => ({ command: { events: Array.from({ length: n }, (_, i) => ({ i })) } });
const settle = () => new Promise((r) => setTimeout(r, 400));

/** Calls CoS's ReadSideManagerService over Connect JSON. */
async function manager(method: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch(`${BASE}/chief_of_state.v1.ReadSideManagerService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe("managing read sides", { timeout: 30_000 }, () => {
  it("pause holds deliveries back and resume catches up in order", async () => {
    const side = freshReadSideId("pause");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    expect((await manager("PauseReadSide", { readSideId: side })).body).toEqual({ successful: true });
    const e = freshId();
    await command(e, emit(3));
    await settle();
    expect(await callsOf(side, e)).toEqual([]);
    expect((await admin(`/read-sides/${side}/status`)).body.state).toBe("paused");
    expect((await manager("ResumeReadSide", { readSideId: side })).body).toEqual({ successful: true });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 2, 3]));
  });

  it("auto_start false creates the read side paused", async () => {
    const side = freshReadSideId("manual");
    await behave(side, { mode: "ok" });
    const created = await createReadSide({ id: side, auto_start: false });
    expect(created.paused).toBe(true);
  });

  it("restart replays every retained event of every entity, in order per entity", async () => {
    const side = freshReadSideId("restart");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const [a, b] = [freshId(), freshId()];
    await command(a, emit(2));
    await command(b, emit(3));
    await eventually(async () => expect(okRevisions(await callsOf(side, b))).toEqual([1, 2, 3]));
    await eventually(async () => expect(okRevisions(await callsOf(side, a))).toEqual([1, 2]));
    expect((await manager("RestartReadSide", { readSideId: side })).body).toEqual({ successful: true });
    await eventually(async () => expect(okRevisions(await callsOf(side, a))).toEqual([1, 2, 1, 2]));
    await eventually(async () => expect(okRevisions(await callsOf(side, b))).toEqual([1, 2, 3, 1, 2, 3]));
  });

  it("pauses, offsets and resumes one shard without touching the others", async () => {
    const side = freshReadSideId("byshard");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side });
    const a = freshId("sa");
    let b = freshId("sb");
    while (shardOf(b, 16) === shardOf(a, 16)) b = freshId("sb");
    const shard = shardOf(a, 16);
    expect((await manager("PauseReadSideByShard", { readSideId: side, clusterShardNumber: shard })).body).toEqual({ successful: true });
    await command(a, emit(2));
    await command(b, emit(2));
    await eventually(async () => expect(okRevisions(await callsOf(side, b))).toEqual([1, 2]));
    expect(await callsOf(side, a)).toEqual([]);
    // The paused shard's lag is named by shard in the status (at least a's two events).
    await eventually(async () => {
      const lagging = (await admin(`/read-sides/${side}/status`)).body.lag_by_shard as { shard: number; lag: number }[];
      expect(lagging.find((l) => l.shard === shard)?.lag).toBeGreaterThanOrEqual(2);
    });
    await manager("ResumeReadSideByShard", { readSideId: side, clusterShardNumber: shard });
    await eventually(async () => expect(okRevisions(await callsOf(side, a))).toEqual([1, 2]));
    await eventually(async () => {
      const offsets = await manager("GetLatestOffsetByShard", { readSideId: side, clusterShardNumber: shard });
      // Proto3 JSON leaves a field at its default out: shard 0 (1 entity id in 16) has no clusterShardNumber.
      expect(offsets.body.offsets.clusterShardNumber ?? "0").toBe(String(shard));
      expect(Number(offsets.body.offsets.offset)).toBeGreaterThanOrEqual(2);
    });
    const all = await manager("GetLatestOffset", { readSideId: side });
    expect(all.body.offsets).toHaveLength(16);
    expect((await manager("PauseReadSideByShard", { readSideId: side, clusterShardNumber: 99 })).body.code).toBe("invalid_argument");
    expect((await manager("SkipOffset", { readSideId: "nope" })).body.code).toBe("not_found");
  });

  it("delivers only the event types a filter names, and still advances past the others", async () => {
    const side = freshReadSideId("filter");
    await behave(side, { mode: "ok" });
    await createReadSide({ id: side, event_types: ["test.v1.Keep"] });
    const e = freshId();
    await command(e, { command: { events: [{ _type: "test.v1.Keep", n: 1 }, { _type: "test.v1.Drop", n: 2 }, { _type: "test.v1.Keep", n: 3 }] } });
    await eventually(async () => expect(okRevisions(await callsOf(side, e))).toEqual([1, 3]));
    await eventually(async () => expect((await admin(`/read-sides/${side}/cursors?entity=${e}`)).body.cursors[0].revision).toBe(3));
  });

  for (const protocol of ["connect", "connect-json", "grpc-web", "cos-http"] as const) {
    it(`signs ${protocol} deliveries so the handler can verify them (Standard Webhooks)`, async () => {
      const side = freshReadSideId(`sig-${protocol}`);
      await behave(side, { mode: "ok", secret: SECRET });
      await createReadSide({ id: side, protocol, secret: SECRET });
      const e = freshId();
      await command(e, emit(2));
      const calls = await eventually(async () => {
        const c = await callsOf(side, e);
        expect(okRevisions(c)).toEqual([1, 2]);
        return c;
      });
      expect(calls.map((c) => c.signature)).toEqual(["valid", "valid"]);
      assertOrdered(calls);
    });
  }

  it("a handler holding a different secret sees the signature as invalid", async () => {
    const side = freshReadSideId("forged");
    await behave(side, { mode: "ok", secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    await createReadSide({ id: side, protocol: "cos-http", secret: SECRET });
    const e = freshId();
    await command(e, emit(1));
    const calls = await eventually(async () => {
      const c = await callsOf(side, e);
      expect(c).toHaveLength(1);
      return c;
    });
    expect(calls[0]?.signature).toBe("invalid");
    expect(calls[0]?.tag).toBe(`chiefofstate${shardOf(e, 16)}`);
  });
});
