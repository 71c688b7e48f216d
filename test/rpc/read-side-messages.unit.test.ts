// The Connect admin API's messages: field masks to typed patches, read sides to messages.
import { type MessageInitShape, create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { StatehouseError } from "../../src/errors.js";
import { ReadSideDefinitionSchema, UpdateReadSideRequestSchema } from "../../src/gen/statehouse/v1/read_sides_pb.js";
import { patchFromUpdate, specFromDefinition } from "../../src/rpc/read-side-messages.js";

const opts = { allowLocalHttp: false };

function update(readSide: MessageInitShape<typeof ReadSideDefinitionSchema>, paths: string[]) {
  return patchFromUpdate(create(UpdateReadSideRequestSchema, { readSide, updateMask: { paths } }), opts);
}

function failure(run: () => unknown): StatehouseError {
  try {
    run();
  } catch (cause) {
    if (cause instanceof StatehouseError) return cause;
    throw cause;
  }
  throw new Error("expected a StatehouseError");
}

describe("patchFromUpdate", () => {
  it("changes only the masked fields", () => {
    expect(update({ id: "rs", policy: "SKIP", timeoutMs: 700, protocol: "grpc-web" }, ["policy", "timeout_ms"])).toEqual({
      id: "rs",
      patch: { policy: "SKIP", timeoutMs: 700 },
    });
  });

  it("resets a masked field that is unset to its default", () => {
    expect(update({ id: "rs" }, ["protocol", "timeout_ms", "enabled", "event_types"]).patch).toEqual({
      protocol: "connect",
      timeoutMs: 5000,
      enabled: true,
      eventTypes: [],
    });
  });

  it("removes the secret when secret is masked but unset", () => {
    expect(update({ id: "rs" }, ["secret"]).patch).toEqual({ secret: null });
  });

  it("replaces the target with the masked one that is set", () => {
    expect(update({ id: "rs", target: { case: "binding", value: "BALANCES" } }, ["url", "binding"]).patch).toEqual({
      target: { kind: "binding", binding: "BALANCES" },
    });
  });

  it("refuses a masked target that is unset", () => {
    const err = failure(() => update({ id: "rs", target: { case: "binding", value: "BALANCES" } }, ["url"]));
    expect([err.code, err.message]).toEqual(["invalid_argument", "invalid read side: read side: give exactly one of url and binding"]);
  });

  it("refuses an unknown field, id, and a missing mask", () => {
    expect(failure(() => update({ id: "rs" }, ["colour"])).message).toBe("update_mask: unknown field colour");
    expect(failure(() => update({ id: "rs" }, ["id"])).message).toBe("update_mask: unknown field id");
    expect(failure(() => update({ id: "rs" }, [])).message).toContain("update_mask (the fields to change) are required");
  });

  it("validates masked values like the HTTP JSON form", () => {
    expect(failure(() => update({ id: "rs", timeoutMs: 0 }, ["timeout_ms"])).message).toContain("invalid read side: timeout_ms:");
  });
});

describe("specFromDefinition", () => {
  it("applies defaults to the fields left unset", () => {
    const def = create(ReadSideDefinitionSchema, { id: "rs", target: { case: "url", value: "https://x.example" } });
    expect(specFromDefinition(def, opts)).toMatchObject({ id: "rs", protocol: "connect", policy: "REPLAY_STOP", timeoutMs: 5000, enabled: true, autoStart: true });
  });

  it("requires a definition", () => {
    expect(failure(() => specFromDefinition(undefined, opts)).message).toBe("read_side is required");
  });
});
