// The admin API: definitions, bad input, auth, and the secret that is never returned.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "../helpers.js";
import { admin, createReadSide, freshReadSideId } from "./helpers.js";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("admin API", () => {
  it("creates, gets, updates and deletes a read side", async () => {
    const id = freshReadSideId("crud");
    const created = await createReadSide({ id, protocol: "grpc-web", policy: "SKIP", event_types: ["bank.v1.Deposited"] });
    expect(created).toMatchObject({ id, protocol: "grpc-web", policy: "SKIP", enabled: true, paused: false, source: "api", event_types: ["bank.v1.Deposited"] });
    const patched = await admin(`/read-sides/${id}`, { method: "PATCH", body: JSON.stringify({ timeout_ms: 900, enabled: false }) });
    expect(patched.body).toMatchObject({ id, timeout_ms: 900, enabled: false, protocol: "grpc-web" });
    expect((await admin(`/read-sides/${id}`)).body.timeout_ms).toBe(900);
    expect((await admin(`/read-sides/${id}`, { method: "DELETE" })).status).toBe(200);
    expect((await admin(`/read-sides/${id}`)).status).toBe(404);
  });

  it("never returns the signing secret", async () => {
    const id = freshReadSideId("sec");
    const created = await createReadSide({ id, secret: SECRET });
    expect(created.has_secret).toBe(true);
    const text = JSON.stringify([created, (await admin(`/read-sides/${id}`)).body, (await admin("/read-sides")).body]);
    expect(text).not.toContain(SECRET.slice(6));
    const cleared = await admin(`/read-sides/${id}`, { method: "PATCH", body: JSON.stringify({ secret: null }) });
    expect(cleared.body.has_secret).toBe(false);
  });

  it("answers NOT_FOUND for an unknown read side, on every route", async () => {
    for (const [method, path] of [["GET", "/read-sides/nope"], ["POST", "/read-sides/nope/pause"], ["GET", "/read-sides/nope/offsets"], ["DELETE", "/read-sides/nope"]] as const) {
      const res = await admin(path, { method });
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({ code: "not_found", message: "read side nope not found" });
    }
  });

  it("answers ALREADY_EXISTS for a duplicate create", async () => {
    const id = freshReadSideId("dup");
    await createReadSide({ id });
    const res = await admin("/read-sides", { method: "POST", body: JSON.stringify({ id, url: env.READ_SIDE_HANDLER_URL }) });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("already_exists");
  });

  it.each([
    [{ id: "bad id!", url: "https://x.example" }, "id:"],
    [{ id: "ok", url: "http://handler.example.com" }, "url: must be an https:// URL"],
    [{ id: "ok", url: "https://user:pw@x.example" }, "credentials"],
    [{ id: "ok", url: "not a url" }, "url: is not a URL"],
    [{ id: "ok" }, "exactly one of url and binding"],
    [{ id: "ok", url: "https://x.example", policy: "RETRY_FOREVER" }, "policy: must be one of STOP, SKIP, REPLAY_SKIP, REPLAY_STOP"],
    [{ id: "ok", url: "https://x.example", retries: -1 }, "retries"],
    [{ id: "ok", url: "https://x.example", protocol: "grpc" }, "protocol"],
    [{ id: "ok", url: "https://x.example", secret: "hunter2" }, "secret: must be a Standard Webhooks secret"],
    [{ id: "ok", binding: "NO_SUCH_BINDING" }, "no Service Binding named NO_SUCH_BINDING"],
    [{ id: "ok", url: "https://x.example", colour: "red" }, "Unrecognized key"],
  ])("rejects %j as INVALID_ARGUMENT", async (input, message) => {
    const res = await admin("/read-sides", { method: "POST", body: JSON.stringify(input) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_argument");
    expect(res.body.message).toContain(message);
  });

  it("rejects a shard outside COS_NUM_SHARDS and a malformed one", async () => {
    const id = freshReadSideId("shard");
    await createReadSide({ id });
    expect((await admin(`/read-sides/${id}/pause?shard=16`, { method: "POST" })).body.message).toContain("shards are 0 to 15");
    expect((await admin(`/read-sides/${id}/pause?shard=-1`, { method: "POST" })).status).toBe(400);
  });

  it("requires an admin token: none, a wrong one and an API token are all refused", async () => {
    expect((await admin("/read-sides", { headers: { authorization: "" } })).status).toBe(401);
    expect((await admin("/read-sides", { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const withApiToken = await call("/admin/v1/read-sides");
    expect(withApiToken.status).toBe(401);
    expect(((await withApiToken.json()) as { message: string }).message).toBe("invalid admin bearer token");
  });
});
