// Snapshots, compaction and cold reload: an evicted entity answers exactly as before, without the handler.
import { describe, expect, it } from "vitest";
import { abortAllDurableObjects, env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { toBinary } from "@bufbuild/protobuf";
import { ChiefOfStateService, GetStateResponseSchema } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { command, connectClient, freshId, state, structAny } from "../helpers.js";

async function stateBytes(id: string): Promise<Uint8Array> {
  const res = await connectClient(ChiefOfStateService).getState({ entityId: id });
  return toBinary(GetStateResponseSchema, res);
}

describe("snapshots and compaction (frequency 3, 2 kept, logical deletion on)", () => {
  it("keeps the two newest snapshots and deletes journal rows older than the oldest", async () => {
    const id = freshId("snap");
    for (let i = 0; i < 10; i++) await command(id, { command: {} });
    const stub = env.ENTITY.get(env.ENTITY.idFromName(id));
    // Compaction runs in the alarm the commits armed, after the read sides' low-water mark is read.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const { snapshots, first } = await runInDurableObject(stub, (_obj, ctx) => ({
      snapshots: ctx.storage.sql.exec<{ revision: number }>("SELECT revision FROM sh_snapshot ORDER BY revision").toArray().map((r) => r.revision),
      first: ctx.storage.sql.exec<{ revision: number }>("SELECT min(revision) AS revision FROM sh_journal").one().revision,
    }));
    expect(snapshots).toEqual([6, 9]);
    expect(first).toBe(6);
  });

  it("answers a compacted revision with not_found and a retained one with its state", async () => {
    const id = freshId("snap");
    for (let i = 0; i < 10; i++) await command(id, { command: { events: [{ i }] } });
    await runDurableObjectAlarm(env.ENTITY.get(env.ENTITY.idFromName(id)));
    const gone = await state(id, "?revision=2");
    expect(gone.status).toBe(404);
    expect(gone.body.message).toContain("no longer retained");
    expect((await state(id, "?revision=6")).body.state.last).toEqual({ i: 5 });
  });
});

describe("cold reload", () => {
  it("answers GetState byte-identical after every object is evicted", async () => {
    const ids = [freshId("cold"), freshId("cold")];
    for (const id of ids) for (let i = 0; i < 7; i++) await command(id, { command: { events: [{ i }, { i: -i }] } });
    const before = await Promise.all(ids.map(stateBytes));
    await abortAllDurableObjects();
    const after = await Promise.all(ids.map(stateBytes));
    expect(after).toEqual(before);
  });

  it("continues the revision sequence after eviction", async () => {
    const id = freshId("cold");
    for (let i = 0; i < 4; i++) await command(id, { command: {} });
    await abortAllDurableObjects();
    const res = await connectClient(ChiefOfStateService).processCommand({ entityId: id, command: structAny({}) });
    expect(res.meta?.revisionNumber).toBe(5);
  });
});
