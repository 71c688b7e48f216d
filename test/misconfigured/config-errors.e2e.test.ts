// A bad configuration value: /healthz names it, and every request answers it until it is fixed.
import { describe, expect, it } from "vitest";
import { call, command, freshId } from "../helpers.js";
import { useFrontDoorVars } from "../support/front-door.js";

useFrontDoorVars({ COS_SNAPSHOT_FREQUENCY: "often", WRITE_HANDLER_PROTOCOL: "grpc" });

const MESSAGE =
  "invalid configuration: WRITE_HANDLER_PROTOCOL must be one of connect, connect-json, grpc-web, cos-http; COS_SNAPSHOT_FREQUENCY must be a whole number from 1 to 1000000";

describe("a misconfigured Statehouse", () => {
  it("answers /healthz with 503 and every bad variable", async () => {
    const res = await call("/healthz", { auth: false });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "misconfigured", code: "internal", message: MESSAGE });
  });

  it("answers a command with the same message", async () => {
    const res = await command(freshId(), { command: {} });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: "internal", message: MESSAGE });
  });
});
