// Bearer-token authentication at the front door.
import { describe, expect, it } from "vitest";
import { call, freshId } from "../helpers.js";

describe("authentication", () => {
  it("answers 401 with a clear message when the token is missing", async () => {
    const res = await call(`/api/v1/entities/${freshId()}`, { auth: false });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: "unauthenticated", message: "missing bearer token: send Authorization: Bearer <token>" });
  });

  it("answers 401 for a wrong token", async () => {
    const res = await call(`/api/v1/entities/${freshId()}`, { headers: { authorization: "Bearer wrong-token-0123456789" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).message).toBe("invalid bearer token");
  });

  it("accepts every configured token", async () => {
    const res = await call(`/api/v1/entities/${freshId()}`, { headers: { authorization: "Bearer second-token-0123456789" } });
    expect(res.status).toBe(404);
  });

  it("checks the token before reading the body", async () => {
    const res = await call(`/api/v1/entities/${freshId()}/commands`, { method: "POST", body: "{garbage", auth: false });
    expect(res.status).toBe(401);
  });

  it("leaves /healthz open and reports the configuration", async () => {
    const res = await call("/healthz", { auth: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", write_handler: "Service Binding WRITE_HANDLER (protocol connect)", auth: "on" });
  });
});
