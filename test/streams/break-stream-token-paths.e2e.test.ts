// A stream token opens the two stream endpoints only, not any GET whose path happens to end in /stream.
import { describe, expect, it } from "vitest";
import { call, freshId } from "../helpers.js";
import { commit } from "./helpers.js";

async function streamToken(): Promise<string> {
  const res = await call("/api/v1/stream-tokens", { method: "POST" });
  return ((await res.json()) as any).token as string;
}

describe("stream tokens on paths that only end in /stream", () => {
  it("refuses a stream token on GET of an entity whose id ends in /stream", async () => {
    const id = `${freshId("tok")}/stream`;
    await commit(id, [{ secret: 1 }]);
    const token = await streamToken();
    const res = await call(`/api/v1/entities/${id}?access_token=${encodeURIComponent(token)}`, { auth: false });
    expect(res.status).toBe(401);
  });

  it("refuses a stream token on GET of a log consumer named stream", async () => {
    const put = await call("/api/v1/log/consumers/stream", {
      method: "PUT",
      body: JSON.stringify({ offset: 0 }),
      headers: { "content-type": "application/json" },
    });
    expect(put.status).toBe(200);
    const token = await streamToken();
    const res = await call(`/api/v1/log/consumers/stream?access_token=${encodeURIComponent(token)}`, { auth: false });
    expect(res.status).toBe(401);
  });
});
