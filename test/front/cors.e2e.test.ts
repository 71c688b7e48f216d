// CORS with STATEHOUSE_CORS_ORIGINS set (the default project): allowed, refused and preflight, on the JSON API, Connect, gRPC-Web and both streams.
import { describe, expect, it } from "vitest";
import { call, freshId } from "../helpers.js";
import { commit, sseReader } from "../streams/helpers.js";

/** One of the origins vitest.config.ts lists for the default project. */
const ALLOWED = "https://app.example.com";
const REFUSED = "https://evil.example.net";

function preflight(path: string, origin: string, method: string, headers: string) {
  return call(path, {
    method: "OPTIONS",
    auth: false,
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers },
  });
}

const listed = (res: Response, name: string) => (res.headers.get(name) ?? "").split(",").map((h) => h.trim().toLowerCase());

describe("CORS for the listed origins", () => {
  it("answers a preflight before authentication, naming the headers the APIs read", async () => {
    const res = await preflight("/api/v1/stream-tokens", ALLOWED, "POST", "authorization,content-type");
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(listed(res, "access-control-allow-methods")).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => m.toLowerCase())));
    expect(listed(res, "access-control-allow-headers")).toEqual(
      expect.arrayContaining([
        "authorization",
        "content-type",
        "traceparent",
        "tracestate",
        "if-match",
        "last-event-id",
        "idempotency-key",
        "connect-protocol-version",
        "x-grpc-web",
        "x-user-agent",
        // COS_WRITE_SIDE_PROPAGATED_HEADERS of the test configuration
        "x-tenant",
      ]),
    );
  });

  it("gives a refused origin's preflight no Access-Control-Allow-Origin", async () => {
    const res = await preflight("/api/v1/stream-tokens", REFUSED, "POST", "authorization,content-type");
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers an allowed origin's request with its origin and the readable headers", async () => {
    const id = freshId("cors");
    await commit(id, [{ a: 1 }]);
    const res = await call(`/api/v1/entities/${id}`, { headers: { origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("vary")).toMatch(/origin/i);
    expect(listed(res, "access-control-expose-headers")).toEqual(
      expect.arrayContaining(["grpc-status", "grpc-message", "etag", "statehouse-subscription-id", "traceresponse"]),
    );
  });

  it("lets an allowed origin read an error answer too (401 without a token)", async () => {
    const res = await call(`/api/v1/entities/${freshId("cors")}`, { auth: false, headers: { origin: ALLOWED } });
    expect(res.status).toBe(401);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  it("gives a refused origin's request no Access-Control-Allow-Origin", async () => {
    const res = await call(`/api/v1/entities/${freshId("cors")}`, { headers: { origin: REFUSED } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers Connect and gRPC-Web requests and their preflights", async () => {
    const path = "/chief_of_state.v1.ChiefOfStateService/GetState";
    const connectPreflight = await preflight(path, ALLOWED, "POST", "authorization,content-type,connect-protocol-version,traceparent");
    expect(connectPreflight.status).toBe(204);
    expect(connectPreflight.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const grpcWebPreflight = await preflight(path, ALLOWED, "POST", "authorization,content-type,x-grpc-web,x-user-agent,grpc-timeout");
    expect(grpcWebPreflight.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(listed(grpcWebPreflight, "access-control-allow-headers")).toEqual(expect.arrayContaining(["x-grpc-web", "grpc-timeout"]));

    const id = freshId("cors");
    await commit(id, [{ a: 1 }]);
    const res = await call(path, {
      method: "POST",
      headers: { origin: ALLOWED, "content-type": "application/json", "connect-protocol-version": "1" },
      body: JSON.stringify({ entity_id: id }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    // gRPC-Web: an empty (unknown-entity) message frame; the answer's status travels in headers the page must be able to read.
    const grpcWeb = await call(path, {
      method: "POST",
      headers: { origin: ALLOWED, "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: new Uint8Array([0, 0, 0, 0, 0]),
    });
    expect(grpcWeb.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(listed(grpcWeb, "access-control-expose-headers")).toEqual(expect.arrayContaining(["grpc-status", "grpc-message"]));
    await grpcWeb.arrayBuffer();
  });

  it("lets a page on an allowed origin follow an entity's stream and the log's with a stream token", async () => {
    const id = freshId("cors");
    await commit(id, [{ a: 1 }]);
    const minted = await call("/api/v1/stream-tokens", { method: "POST", headers: { origin: ALLOWED } });
    expect(minted.status).toBe(201);
    expect(minted.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const { token } = (await minted.json()) as { token: string };

    const entity = await call(`/api/v1/entities/${id}/events/stream?from=1&access_token=${token}`, { auth: false, headers: { origin: ALLOWED } });
    expect(entity.status).toBe(200);
    expect(entity.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(entity.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const events = sseReader(entity);
    expect((await events.take(1))[0]).toMatchObject({ id: "1", event: "event" });
    await events.close();

    const log = await call(`/api/v1/log/stream?access_token=${token}`, { auth: false, headers: { origin: ALLOWED } });
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(log.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    await log.body?.cancel();
  });
});
