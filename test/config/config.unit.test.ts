// Configuration parsing: every bad value is named by its variable, with the rule it broke.
import { describe, expect, it } from "vitest";
import { describeWriteHandler, parseConfig } from "../../src/config/index.js";

const good = { WRITE_HANDLER_URL: "http://127.0.0.1:9000", STATEHOUSE_AUTH: "off" };

function errors(env: Record<string, string>): string[] {
  const r = parseConfig({ ...good, ...env });
  return r.ok ? [] : r.errors;
}

describe("parseConfig", () => {
  it("applies CoS's defaults", () => {
    const r = parseConfig(good);
    expect(r.ok && r.config).toMatchObject({
      writeHandler: { kind: "url", url: "http://127.0.0.1:9000" },
      writeHandlerProtocol: "connect",
      handlerTimeoutMs: 5000,
      snapshotFrequency: 100,
      snapshotsToRetain: 2,
      journalLogicalDeletion: false,
      numShards: 16,
      auth: { enabled: false },
      subscriptionEnabled: false,
    });
  });

  it("reads COS_SUBSCRIPTION_ENABLED and names a bad value", () => {
    const r = parseConfig({ ...good, COS_SUBSCRIPTION_ENABLED: "true" });
    expect(r.ok && r.config.subscriptionEnabled).toBe(true);
    expect(errors({ COS_SUBSCRIPTION_ENABLED: "on" })).toEqual(['COS_SUBSCRIPTION_ENABLED must be "true" or "false"']);
  });

  it("reads STATEHOUSE_CORS_ORIGINS as a list of origins, empty (CORS off) by default", () => {
    const off = parseConfig(good);
    expect(off.ok && off.config.corsOrigins).toEqual([]);
    const on = parseConfig({ ...good, STATEHOUSE_CORS_ORIGINS: " https://app.example.com , http://localhost:5173," });
    expect(on.ok && on.config.corsOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
    const any = parseConfig({ ...good, STATEHOUSE_CORS_ORIGINS: "*" });
    expect(any.ok && any.config.corsOrigins).toEqual(["*"]);
  });

  it("names an entry of STATEHOUSE_CORS_ORIGINS that is not an origin as a browser sends it", () => {
    for (const bad of ["https://app.example.com/", "https://app.example.com/path", "app.example.com", "ftp://files.example.com", "HTTPS://APP.example.com", "https://app.example.com:443"]) {
      expect(errors({ STATEHOUSE_CORS_ORIGINS: `http://localhost:5173,${bad}` })).toEqual([
        expect.stringMatching(/^STATEHOUSE_CORS_ORIGINS each entry must be an origin as a browser sends it/),
      ]);
    }
  });

  it("names a bad number", () => {
    expect(errors({ COS_SNAPSHOT_FREQUENCY: "often" })).toEqual(["COS_SNAPSHOT_FREQUENCY must be a whole number from 1 to 1000000"]);
    expect(errors({ COS_COMMAND_HANDLER_TIMEOUT: "0" })).toEqual(["COS_COMMAND_HANDLER_TIMEOUT must be at least 1"]);
  });

  it("names a bad boolean, protocol and URL", () => {
    expect(errors({ COS_JOURNAL_LOGICAL_DELETION: "yes" })).toEqual(['COS_JOURNAL_LOGICAL_DELETION must be "true" or "false"']);
    expect(errors({ WRITE_HANDLER_PROTOCOL: "grpc" })).toEqual([
      "WRITE_HANDLER_PROTOCOL must be one of connect, connect-json, grpc-web, cos-http",
    ]);
    expect(errors({ WRITE_HANDLER_URL: "ftp://x" })).toEqual(["WRITE_HANDLER_URL must be an http:// or https:// URL"]);
  });

  it("reports every bad variable at once", () => {
    expect(errors({ COS_NUM_SHARDS: "-1", STATEHOUSE_AUTH: "maybe" })).toHaveLength(2);
  });

  it("requires type lists when validation is on", () => {
    expect(errors({ COS_WRITE_SIDE_PROTO_VALIDATION: "true" })).toEqual([
      "COS_WRITE_SIDE_STATE_PROTOS must list at least one type when COS_WRITE_SIDE_PROTO_VALIDATION is true",
      "COS_WRITE_SIDE_EVENT_PROTOS must list at least one type when COS_WRITE_SIDE_PROTO_VALIDATION is true",
    ]);
    expect(errors({ COS_WRITE_SIDE_PROTO_VALIDATION: "true", COS_WRITE_SIDE_STATE_PROTOS: "a.B", COS_WRITE_SIDE_EVENT_PROTOS: "not a type" })).toEqual([
      "COS_WRITE_SIDE_EVENT_PROTOS each entry must be a fully qualified message name, e.g. bank.v1.Opened",
    ]);
  });

  it("requires tokens when auth is on, and never echoes a value", () => {
    expect(errors({ STATEHOUSE_AUTH: "on" })).toEqual([
      'STATEHOUSE_API_TOKENS must hold at least one token when STATEHOUSE_AUTH is "on" (set it with `wrangler secret put`)',
    ]);
    const short = errors({ STATEHOUSE_AUTH: "on", STATEHOUSE_API_TOKENS: "hunter2" });
    expect(short).toEqual(["STATEHOUSE_API_TOKENS each entry must be a token of at least 16 characters without spaces"]);
    expect(short.join()).not.toContain("hunter2");
  });

  it("requires a write handler", () => {
    const r = parseConfig({ STATEHOUSE_AUTH: "off" });
    expect(r.ok ? [] : r.errors).toEqual(["WRITE_HANDLER_URL is not set and no Service Binding named WRITE_HANDLER exists"]);
  });

  it("refuses credentials in WRITE_HANDLER_URL without repeating them", () => {
    for (const url of ["https://svc:hunter2@handler.example.com/x", "https://svc@handler.example.com", "http://:hunter2@127.0.0.1:9000"]) {
      const found = errors({ WRITE_HANDLER_URL: url });
      expect(found).toEqual(["WRITE_HANDLER_URL must not contain credentials (user:password@)"]);
      expect(found.join()).not.toMatch(/hunter2|svc/);
    }
    expect(errors({ WRITE_HANDLER_URL: "ftp://svc:hunter2@x" })).toEqual(["WRITE_HANDLER_URL must be an http:// or https:// URL"]);
  });

  it("describes a handler URL by its scheme and host only", () => {
    const r = parseConfig({ ...good, WRITE_HANDLER_URL: "https://handler.example.com:8443/tenant-7/?key=s3cret#x" });
    expect(r.ok && describeWriteHandler(r.config)).toBe("WRITE_HANDLER_URL https://handler.example.com:8443 (protocol connect)");
  });

  it("lets an explicit URL win over a binding", () => {
    const r = parseConfig({ ...good, WRITE_HANDLER: {} } as never);
    expect(r.ok && r.config.writeHandler.kind).toBe("url");
  });
});
