// Read side patches: validated field by field like a whole definition, applied over a stored spec.
import { describe, expect, it } from "vitest";
import { type ReadSideSpec, applyReadSidePatch, parseReadSidePatch, parseReadSideSpec } from "../../src/config/index.js";

const opts = { allowLocalHttp: false };
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const stored: ReadSideSpec = {
  id: "balances",
  target: { kind: "binding", binding: "BALANCES" },
  protocol: "grpc-web",
  timeoutMs: 900,
  policy: "SKIP",
  retries: 3,
  backoffMs: 200,
  enabled: true,
  autoStart: true,
  eventTypes: ["bank.v1.Deposited"],
  secret: SECRET,
};

function errors(input: unknown): string[] {
  const r = parseReadSidePatch(input, opts);
  return r.ok ? [] : r.errors;
}

describe("parseReadSidePatch", () => {
  it("keeps only the fields given, in their typed form", () => {
    expect(parseReadSidePatch({ timeout_ms: 700, url: "https://x.example/hook/" }, opts)).toEqual({
      ok: true,
      patch: { timeoutMs: 700, target: { kind: "url", url: "https://x.example/hook" } },
    });
  });

  it("reads secret: null as removing the secret", () => {
    expect(parseReadSidePatch({ secret: null }, opts)).toEqual({ ok: true, patch: { secret: null } });
  });

  it("names each bad field as a whole definition does", () => {
    const input = { policy: "RETRY_FOREVER", retries: -1 };
    const whole = parseReadSideSpec({ ...input, id: "x", url: "https://x.example" }, opts);
    expect(errors(input)).toEqual(whole.ok ? [] : whole.errors);
    expect(errors(input)[0]).toContain("policy: must be one of");
  });

  it("refuses unknown fields and two targets at once", () => {
    expect(errors({ colour: "red" })[0]).toContain("Unrecognized key");
    expect(errors({ url: "https://x.example", binding: "X" })).toEqual(["read side: give exactly one of url and binding"]);
  });

  it("checks a new URL against the deployment's rules", () => {
    expect(errors({ url: "http://localhost:9000" })[0]).toContain("url: http is allowed only to localhost in local dev");
  });
});

describe("applyReadSidePatch", () => {
  it("replaces the fields given and keeps the others", () => {
    expect(applyReadSidePatch(stored, { policy: "STOP", eventTypes: [] })).toEqual({ ...stored, policy: "STOP", eventTypes: [] });
  });

  it("replaces a binding target with a URL", () => {
    const url = { kind: "url", url: "https://x.example" } as const;
    expect(applyReadSidePatch(stored, { target: url }).target).toEqual(url);
  });

  it("keeps the secret unless the patch sets or removes it", () => {
    expect(applyReadSidePatch(stored, { retries: 1 }).secret).toBe(SECRET);
    expect(applyReadSidePatch(stored, { secret: null }).secret).toBeUndefined();
    expect(applyReadSidePatch(stored, { secret: "whsec_other" }).secret).toBe("whsec_other");
  });
});
