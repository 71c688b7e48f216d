// GET /healthz, open to anyone: it names the write handler without leaking its URL's secrets.
import { describe, expect, it } from "vitest";
import { createExecutionContext, env } from "cloudflare:test";
import { createApp } from "../../src/front/index.js";
import { servicesOf } from "../../src/services.js";

/** GET /healthz on the front-door app with `vars` over the test configuration (as `--var` would). */
async function healthz(vars: Record<string, string>) {
  const res = await createApp(servicesOf).fetch(new Request("http://statehouse.test/healthz"), { ...env, ...vars }, createExecutionContext());
  return { status: res.status, text: await res.text() };
}

describe("GET /healthz", () => {
  it("shows a handler URL by its scheme and host, never its path or query", async () => {
    const res = await healthz({ WRITE_HANDLER_URL: "https://handler.example.com/tenant-7?key=s3cret" });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      status: "ok",
      write_handler: "WRITE_HANDLER_URL https://handler.example.com (protocol connect)",
      auth: "on",
    });
  });

  it("answers 503 naming WRITE_HANDLER_URL when it carries credentials, without showing them", async () => {
    const res = await healthz({ WRITE_HANDLER_URL: "https://svc:hunter2@handler.example.com" });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({
      status: "misconfigured",
      code: "internal",
      message: "invalid configuration: WRITE_HANDLER_URL must not contain credentials (user:password@)",
    });
    expect(res.text).not.toContain("hunter2");
  });
});
