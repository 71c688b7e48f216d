// With COS_SUBSCRIPTION_ENABLED=false every streaming entry point answers UNIMPLEMENTED, as CoS does.
import { describe, expect, it } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { EventstoreService } from "../../src/gen/contracts/eventstore/service_pb.js";
import { LogService } from "../../src/gen/statehouse/v1/log_pb.js";
import { call, connectClient, connectError, freshId } from "../helpers.js";
import { openSse } from "../streams/helpers.js";
import { useFrontDoorVars } from "../support/front-door.js";

// wrangler.toml turns subscriptions on for the dev example; CoS's default is off.
useFrontDoorVars({ COS_SUBSCRIPTION_ENABLED: "false" });

const MESSAGE = "Subscription is not enabled; configure subscription to use streaming";

describe("subscriptions disabled", () => {
  it("answers Subscribe, SubscribeAll, Unsubscribe, UnsubscribeAll, LogService.Tail and eskit's LogsPoll with UNIMPLEMENTED", async () => {
    const client = connectClient(ChiefOfStateService);
    const calls = [
      async () => {
        for await (const _ of client.subscribe({ entityId: freshId() })) break;
      },
      async () => {
        for await (const _ of client.subscribeAll({})) break;
      },
      () => client.unsubscribe({ subscriptionId: "s" }),
      () => client.unsubscribeAll({ subscriptionId: "s" }),
      async () => {
        for await (const _ of connectClient(LogService).tail({})) break;
      },
      async () => {
        for await (const _ of connectClient(EventstoreService).logsPoll({ fromId: "1" })) break;
      },
    ];
    for (const call of calls) {
      const err = await connectError(call);
      expect([err.code, err.rawMessage]).toEqual([12, MESSAGE]);
    }
  });

  it("answers the SSE endpoints with 501 unimplemented, and still serves reads of the log", async () => {
    for (const res of [await openSse(freshId(), "?from=1"), await call("/api/v1/log/stream")]) {
      expect(res.status).toBe(501);
      expect(await res.json()).toEqual({ code: "unimplemented", message: MESSAGE });
    }
    expect((await call("/api/v1/log")).status).toBe(200);
    expect((await connectClient(EventstoreService).logs({})).results).toEqual([]);
  });
});
