// The logger's line format: one JSON object per line that Workers Logs can query by field.
import { describe, expect, it } from "vitest";
import { StatehouseError } from "../src/errors.js";
import { formatLine } from "../src/log.js";

describe("log line format", () => {
  it("is one JSON object with level, msg and the given fields", () => {
    const line = formatLine("warn", "read side failed", { read_side_id: "balances", entity_id: "acct-1", revision: 3, code: "unavailable" });
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({ level: "warn", msg: "read side failed", read_side_id: "balances", entity_id: "acct-1", revision: 3, code: "unavailable" });
  });

  it("renders a thrown error with its name, message, stack and cause chain", () => {
    const root = new TypeError("boom");
    const wrapped = StatehouseError.from(root);
    const parsed = JSON.parse(formatLine("error", "unexpected error", { error: wrapped })) as { error: Record<string, unknown> };
    expect(parsed.error).toMatchObject({ name: "StatehouseError", message: "internal error", code: "internal" });
    expect(parsed.error.cause).toMatchObject({ name: "TypeError", message: "boom" });
    expect(String((parsed.error.cause as { stack: string }).stack)).toContain("boom");
  });

  it("keeps a thrown non-Error value readable", () => {
    expect(JSON.parse(formatLine("error", "odd throw", { error: "just a string" })).error).toBe("just a string");
    expect(JSON.parse(formatLine("error", "odd throw", { error: { reason: "x" } })).error).toEqual({ reason: "x" });
  });

  it("leaves out an error field that is undefined", () => {
    expect(JSON.parse(formatLine("info", "fine", { error: undefined }))).toEqual({ level: "info", msg: "fine" });
  });
});
