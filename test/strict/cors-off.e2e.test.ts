// CORS is off unless STATEHOUSE_CORS_ORIGINS lists an origin (this project sets none).
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("CORS off (STATEHOUSE_CORS_ORIGINS empty)", () => {
  it("sends no Access-Control-Allow-Origin, whatever the origin", async () => {
    const res = await SELF.fetch("http://statehouse.test/api/v1/log?limit=1", { headers: { origin: "https://app.example.com" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers no preflight", async () => {
    const res = await SELF.fetch("http://statehouse.test/api/v1/stream-tokens", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
