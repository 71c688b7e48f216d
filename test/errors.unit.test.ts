// StatehouseError.from: one normaliser that keeps the cause and has no side effects.
import { Code, ConnectError } from "@connectrpc/connect";
import { afterEach, describe, expect, it, vi } from "vitest";
import { StatehouseError, isUnexpected } from "../src/errors.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("StatehouseError.from", () => {
  it("turns an unknown throw into internal with a fixed message, keeping the throw as cause", () => {
    const bug = new TypeError("x is undefined");
    const err = StatehouseError.from(bug);
    expect(err.code).toBe("internal");
    expect(err.message).toBe("internal error");
    expect(err.cause).toBe(bug);
    expect(isUnexpected(bug)).toBe(true);
  });

  it("keeps a Connect error's code and message, and the error itself as cause", () => {
    const connect = new ConnectError("balance too low", Code.FailedPrecondition);
    const err = StatehouseError.from(connect);
    expect(err.code).toBe("failed_precondition");
    expect(err.message).toBe("balance too low");
    expect(err.cause).toBe(connect);
    expect(isUnexpected(connect)).toBe(false);
  });

  it("writes nothing to the console: logging is the edge's job", () => {
    const spies = (["log", "warn", "error"] as const).map((m) => vi.spyOn(console, m));
    StatehouseError.from(new Error("bug"));
    StatehouseError.from("a thrown string");
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it("keeps details and drops the cause across Durable Object RPC", () => {
    const err = new StatehouseError("aborted", "stale", [{ type: "x.v1.Y", value: new Uint8Array([1]) }], { cause: new Error("inner") });
    const back = StatehouseError.fromData(err.toData());
    expect(back.toData()).toEqual(err.toData());
    expect(back.cause).toBeUndefined();
  });
});
