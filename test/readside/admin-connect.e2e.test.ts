// The admin API's Connect form: statehouse.v1.ReadSideAdminService, admin token required.
import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, TOKEN } from "../helpers.js";
import { ADMIN_TOKEN, freshReadSideId } from "./helpers.js";

async function rpc(method: string, body: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: any }> {
  const res = await SELF.fetch(`${BASE}/statehouse.v1.ReadSideAdminService/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe("ReadSideAdminService", () => {
  it("creates, updates with a field mask, gets, lists and deletes", async () => {
    const id = freshReadSideId("rpc");
    const created = await rpc("CreateReadSide", { readSide: { id, url: env.READ_SIDE_HANDLER_URL, protocol: "cos-http", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ definition: { id, url: env.READ_SIDE_HANDLER_URL, protocol: "cos-http", policy: "REPLAY_STOP", timeoutMs: 5000 }, hasSecret: true, source: "api" });
    expect(created.body.definition.secret).toBeUndefined();

    const updated = await rpc("UpdateReadSide", { readSide: { id, policy: "SKIP", timeoutMs: 700, protocol: "ignored" }, updateMask: "policy,timeoutMs,secret" });
    expect(updated.body.definition).toMatchObject({ policy: "SKIP", timeoutMs: 700, protocol: "cos-http" });
    expect(updated.body.hasSecret ?? false).toBe(false);

    expect((await rpc("GetReadSide", { readSideId: id })).body.definition.policy).toBe("SKIP");
    expect((await rpc("ListReadSides", {})).body.readSides.map((r: any) => r.definition.id)).toContain(id);
    expect((await rpc("DeleteReadSide", { readSideId: id })).status).toBe(200);
    expect((await rpc("GetReadSide", { readSideId: id })).body.code).toBe("not_found");
  });

  it("answers ALREADY_EXISTS, INVALID_ARGUMENT and UNAUTHENTICATED like the HTTP form", async () => {
    const id = freshReadSideId("rpc");
    await rpc("CreateReadSide", { readSide: { id, url: env.READ_SIDE_HANDLER_URL } });
    expect((await rpc("CreateReadSide", { readSide: { id, url: env.READ_SIDE_HANDLER_URL } })).body.code).toBe("already_exists");
    const bad = await rpc("CreateReadSide", { readSide: { id: "x", url: "ftp://x.example" } });
    expect(bad.body.code).toBe("invalid_argument");
    expect(bad.body.message).toContain("url: must be an https:// URL");
    expect((await rpc("UpdateReadSide", { readSide: { id }, updateMask: "colour" })).body.message).toContain("unknown field colour");
    expect((await rpc("ListReadSides", {}, TOKEN)).status).toBe(401);
  });
});
