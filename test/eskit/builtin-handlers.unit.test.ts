// eskit's table of built-in write handlers: which handler a command folds with, and the CRUD store's reserved entity ids.
import { describe, expect, it } from "vitest";
import { StatehouseError } from "../../src/errors.js";
import { eskitBuiltins } from "../../src/eskit/index.js";
import { crudEntityId } from "../../src/eskit/store/index.js";

function refusal(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof StatehouseError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("eskitBuiltins", () => {
  const doc = crudEntityId({ entityType: "User", docId: "u1" });

  it("leaves a command that names no built-in to the configured write handler", () => {
    expect(eskitBuiltins.select("acct-1", undefined)).toBeUndefined();
  });

  it("folds eskit-append and eskit-crud with their own handlers, without the user's type validation", () => {
    const append = eskitBuiltins.select("acct-1", "eskit-append");
    const crud = eskitBuiltins.select(doc, "eskit-crud");
    expect(append?.validation.enabled).toBe(false);
    expect(crud?.validation.enabled).toBe(false);
    expect(append?.handler).not.toBe(crud?.handler);
  });

  it("refuses any command on a document's entity id that does not name eskit-crud", () => {
    for (const name of [undefined, "eskit-append"]) {
      expect(refusal(() => eskitBuiltins.select(doc, name))).toEqual({
        code: "invalid_argument",
        message: "entity ids starting with $crud/ are reserved for the CRUD store's documents",
      });
    }
  });

  it("refuses eskit-crud on an entity that is not a document", () => {
    expect(refusal(() => eskitBuiltins.select("acct-1", "eskit-crud")).code).toBe("invalid_argument");
  });

  it("refuses a name that is no built-in", () => {
    expect(refusal(() => eskitBuiltins.select("acct-1", "nope"))).toEqual({ code: "invalid_argument", message: 'no built-in write handler is named "nope"' });
  });
});
