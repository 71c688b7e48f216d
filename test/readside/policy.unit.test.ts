// Pure rules: failure policies, backoff, shards, and read sides declared in config.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { eventTag, shardOf } from "../../src/partition/shard.js";
import { backoffSeconds, decideOnFailure } from "../../src/readside/index.js";

describe("failure policies", () => {
  it("STOP and SKIP act on the first failure", () => {
    expect(decideOnFailure({ policy: "STOP", retries: 5, backoffMs: 1000 }, 1)).toEqual({ kind: "stop" });
    expect(decideOnFailure({ policy: "SKIP", retries: 5, backoffMs: 1000 }, 1)).toEqual({ kind: "skip" });
  });

  it("REPLAY_* retry with exponential backoff, then stop or skip", () => {
    const p = { retries: 2, backoffMs: 1500 };
    expect(decideOnFailure({ ...p, policy: "REPLAY_STOP" }, 1)).toEqual({ kind: "retry", delaySeconds: 2 });
    expect(decideOnFailure({ ...p, policy: "REPLAY_STOP" }, 2)).toEqual({ kind: "retry", delaySeconds: 3 });
    expect(decideOnFailure({ ...p, policy: "REPLAY_STOP" }, 3)).toEqual({ kind: "stop" });
    expect(decideOnFailure({ ...p, policy: "REPLAY_SKIP" }, 3)).toEqual({ kind: "skip" });
  });

  it("caps the backoff at an hour", () => {
    expect(backoffSeconds(60_000, 30)).toBe(3600);
    expect(backoffSeconds(0, 4)).toBe(0);
  });
});

describe("shards", () => {
  it("bucket entity ids as Java's String.hashCode does, as CoS does", () => {
    // "hello".hashCode() === 99162322 in Java.
    expect(shardOf("hello", 1_000_000_000)).toBe(99162322);
    expect(shardOf("hello", 16)).toBe(99162322 % 16);
    expect(eventTag(3)).toBe("chiefofstate3");
  });

  it("keep every id inside the bucket range", () => {
    for (const id of ["", "a", "polygenelubricants", "ünïcødé", "x".repeat(300)]) {
      const s = shardOf(id, 7);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(7);
    }
  });
});

describe("STATEHOUSE_READ_SIDES", () => {
  const base = { STATEHOUSE_AUTH: "off", WRITE_HANDLER_URL: "https://w.example" };

  it("parses declared read sides with defaults", () => {
    const r = parseConfig({ ...base, STATEHOUSE_READ_SIDES: JSON.stringify([{ id: "balances", binding: "BANK_BALANCES" }]) });
    expect(r.ok && r.config.readSides).toMatchObject([{ id: "balances", target: { kind: "binding", binding: "BANK_BALANCES" }, protocol: "connect", policy: "REPLAY_STOP" }]);
  });

  it("names the variable and the entry in every error", () => {
    const bad = parseConfig({ ...base, STATEHOUSE_READ_SIDES: JSON.stringify([{ id: "a", url: "http://x.example" }, { id: "a", url: "https://x.example" }, { id: "a", url: "https://y.example" }]) });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors).toEqual([
      "STATEHOUSE_READ_SIDES[0] url: must be an https:// URL (or http:// to localhost in local dev)",
      "STATEHOUSE_READ_SIDES declares read side a twice",
    ]);
    expect(parseConfig({ ...base, STATEHOUSE_READ_SIDES: "{" })).toEqual({ ok: false, errors: ["STATEHOUSE_READ_SIDES must be a JSON array of read side definitions"] });
  });

  it("allows http to localhost only with STATEHOUSE_ALLOW_LOCAL_HTTP", () => {
    const local = JSON.stringify([{ id: "dev", url: "http://127.0.0.1:8788" }]);
    expect(parseConfig({ ...base, STATEHOUSE_READ_SIDES: local }).ok).toBe(false);
    expect(parseConfig({ ...base, STATEHOUSE_READ_SIDES: local, STATEHOUSE_ALLOW_LOCAL_HTTP: "true" }).ok).toBe(true);
  });
});
