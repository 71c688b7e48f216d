// The one command input: every front door's form decodes to the same CommandInput, with the same checks.
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, anyPack, StructSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/index.js";
import { StatehouseError } from "../../src/errors.js";
import { buildCommandInput, readCommand } from "../../src/input/index.js";

const parsed = parseConfig({
  WRITE_HANDLER_URL: "http://127.0.0.1:9000",
  STATEHOUSE_AUTH: "off",
  COS_WRITE_SIDE_PROPAGATED_HEADERS: "x-trace",
});
if (!parsed.ok) throw new Error(parsed.errors.join("; "));
const config = parsed.config;

const command = anyPack(StructSchema, create(StructSchema, { fields: {} }));

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return err instanceof StatehouseError ? err.code : "not a StatehouseError";
  }
}

describe("readCommand", () => {
  it("decodes a base64 Any and a friendly JSON object to the same Any a Connect message carries", () => {
    const base64 = btoa(String.fromCharCode(...toBinary(AnySchema, command)));
    expect(toBinary(AnySchema, readCommand({ form: "base64", value: base64 }))).toEqual(toBinary(AnySchema, command));
    expect(readCommand({ form: "friendly-json", value: {} }).typeUrl).toBe(command.typeUrl);
    expect(readCommand({ form: "message", any: command })).toBe(command);
  });

  it("rejects a missing command in every form as invalid_argument", () => {
    expect(codeOf(() => readCommand({ form: "message", any: undefined }))).toBe("invalid_argument");
    expect(codeOf(() => readCommand({ form: "message", any: create(AnySchema) }))).toBe("invalid_argument");
    expect(codeOf(() => readCommand({ form: "base64", value: "" }))).toBe("invalid_argument");
    expect(codeOf(() => readCommand({ form: "friendly-json", value: undefined }))).toBe("invalid_argument");
  });
});

describe("buildCommandInput", () => {
  it("reads the expected revision and idempotency key from headers or from fields", () => {
    const headers = new Headers({ "statehouse-expected-revision": "3", "idempotency-key": "k1", "x-trace": "t" });
    const fromHeaders = buildCommandInput({ entityId: "e", command, headers, options: { in: "headers" } }, config);
    const fromFields = buildCommandInput(
      { entityId: "e", command, headers, options: { in: "fields", expectedRevision: 3, idempotencyKey: "k1" } },
      config,
    );
    expect(fromHeaders).toEqual(fromFields);
    expect(fromHeaders).toMatchObject({
      entityId: "e",
      command: toBinary(AnySchema, command),
      expectedRevision: 3,
      idempotencyKey: "k1",
      propagatedHeaders: [["x-trace", "t"]],
    });
  });

  it("rejects a bad expected revision as invalid_argument", () => {
    const headers = new Headers({ "statehouse-expected-revision": "-1" });
    expect(codeOf(() => buildCommandInput({ entityId: "e", command, headers, options: { in: "headers" } }, config))).toBe(
      "invalid_argument",
    );
  });

  it("asks for registered JSON types only when the caller answers in Connect JSON", () => {
    const build = (json?: boolean) =>
      buildCommandInput({ entityId: "e", command, headers: new Headers(), options: { in: "headers" }, json }, config);
    expect(build(true).requireJsonTypes).toBe(true);
    expect(build().requireJsonTypes).toBeUndefined();
  });
});
