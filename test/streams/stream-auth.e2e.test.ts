// Who may open a stream: the bearer header, or a short-lived signed stream token in ?access_token= (EventSource sends no headers).
import { describe, expect, it } from "vitest";
import { mintStreamToken } from "../../src/front/stream-token.js";
import { TOKEN, call, freshId } from "../helpers.js";
import { commit, openSse, sseReader } from "./helpers.js";

async function mint(body?: unknown) {
  const res = await call("/api/v1/stream-tokens", { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe("stream authentication", () => {
  it("mints a read-only token that expires in 5 minutes by default, at most in an hour", async () => {
    const before = Date.now();
    const { status, body } = await mint();
    expect(status).toBe(201);
    expect(body).toMatchObject({ ttl_seconds: 300, scope: "read" });
    expect(Date.parse(body.expires_at) - before).toBeGreaterThan(290_000);
    expect((await mint({ ttl_seconds: 3601 })).status).toBe(400);
    expect((await mint({ ttl_seconds: 60 })).body.ttl_seconds).toBe(60);
  });

  it("needs the API token to mint", async () => {
    const res = await call("/api/v1/stream-tokens", { method: "POST", auth: false });
    expect(res.status).toBe(401);
  });

  it("opens a stream with a stream token in the URL", async () => {
    const id = freshId("tok");
    await commit(id, [{ a: 1 }]);
    const { body } = await mint();
    const res = await openSse(id, `?from=1&access_token=${body.token}`, { auth: false });
    expect(res.status).toBe(200);
    const r = sseReader(res);
    expect((await r.take(1))[0]?.id).toBe("1");
    await r.close();
  });

  it("refuses a stream without any token", async () => {
    const res = await openSse(freshId("tok"), "?from=1", { auth: false });
    expect(res.status).toBe(401);
  });

  it("refuses the long-lived API token in a URL and says to mint a stream token", async () => {
    const res = await openSse(freshId("tok"), `?access_token=${TOKEN}`, { auth: false });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).message).toContain("POST /api/v1/stream-tokens");
  });

  it("refuses an expired stream token", async () => {
    const { token } = await mintStreamToken(TOKEN, 60, Date.now() - 120_000);
    const res = await openSse(freshId("tok"), `?access_token=${token}`, { auth: false });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).message).toContain("stream token expired");
  });

  it("refuses a forged stream token: signed with another key, or with its payload changed", async () => {
    const other = await mintStreamToken("not-a-configured-token-0123", 60);
    const genuine = (await mint()).body.token as string;
    const [prefix, , signature] = genuine.split(".");
    const longer = btoa(JSON.stringify({ kid: "x", scope: "read", exp: 9_999_999_999 })).replace(/=+$/, "");
    for (const token of [other.token, `${prefix}.${longer}.${signature}`, "sst1.garbage", "nonsense"]) {
      const res = await openSse(freshId("tok"), `?access_token=${encodeURIComponent(token)}`, { auth: false });
      expect(res.status).toBe(401);
    }
  });

  it("accepts a stream token only on stream endpoints", async () => {
    const { body } = await mint();
    const res = await call(`/api/v1/entities/${freshId("tok")}?access_token=${body.token}`, { auth: false });
    expect(res.status).toBe(401);
  });
});
