// eskit's selectors and decimal strings: the exact rule, and a glob that never drops what the rule selects.
import { describe, expect, it } from "vitest";
import { parseDecimal, parseLogSelector } from "../../src/eskit/index.js";
import { typeMatcher } from "../../src/eventlog/index.js";

const TYPES = ["User.Created", "User.Updated", "User.Sub.Created", "Order.Created", "Created", "com.acme.User.Created", "User-x.Created", "google.protobuf.Struct"];

describe("parseLogSelector", () => {
  it.each([
    ["", "", TYPES],
    ["*", "", TYPES],
    ["*.*", "", TYPES],
    ["User.*", "", ["User.Created", "User.Updated"]],
    ["*.Created", "", ["User.Created", "User.Sub.Created", "Order.Created", "Created", "com.acme.User.Created", "User-x.Created"]],
    ["User.Created", "", ["User.Created"]],
    ["User.Sub.*", "", ["User.Sub.Created"]],
    ["Created", "", ["Created"]],
    ["User-x.*", "", ["User-x.Created"]],
    ["", "User", ["User.Created", "User.Updated"]],
    ["*.Created", "User", ["User.Created"]],
    ["google.protobuf.Struct", "", ["google.protobuf.Struct"]],
  ])("selector %j with pipeline %j selects eskit's matches, and its glob lets them all through", (selector, pipeline, expected) => {
    const s = parseLogSelector(selector, pipeline);
    expect(TYPES.filter((t) => s.matches(t))).toEqual(expected);
    const glob = typeMatcher(s.glob);
    expect(expected.filter((t) => !glob(t))).toEqual([]);
  });

  it("refuses a selector longer than 200 characters", () => {
    expect(() => parseLogSelector("a".repeat(201), "")).toThrow(/selector/);
  });
});

describe("parseDecimal", () => {
  it("reads decimal digits and treats an empty string as not given", () => {
    expect([parseDecimal("0", "x"), parseDecimal("42", "x"), parseDecimal("", "x")]).toEqual([0, 42, undefined]);
  });

  it.each(["-1", "+1", " 1", "1.0", "1e3", "0x10", "abc", "99999999999999999"])("refuses %j", (value) => {
    expect(() => parseDecimal(value, "from_id")).toThrow(/from_id must be a whole number/);
  });
});
