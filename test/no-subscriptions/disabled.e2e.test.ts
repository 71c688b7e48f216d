// With COS_SUBSCRIPTION_ENABLED=false every streaming entry point answers UNIMPLEMENTED, as CoS does.
import { describe, expect, it } from "vitest";
import { ChiefOfStateService } from "../../src/gen/chief_of_state/v1/service_pb.js";
import { connectClient, connectError, freshId } from "../helpers.js";
import { openSse } from "../streams/helpers.js";

const MESSAGE = "Subscription is not enabled; configure subscription to use streaming";

describe("subscriptions disabled", () => {
  it("answers Subscribe, SubscribeAll, Unsubscribe and UnsubscribeAll with UNIMPLEMENTED", async () => {
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
    ];
    for (const call of calls) {
      const err = await connectError(call);
      expect([err.code, err.rawMessage]).toEqual([12, MESSAGE]);
    }
  });

  it("answers the SSE endpoint with 501 unimplemented", async () => {
    const res = await openSse(freshId(), "?from=1");
    expect(res.status).toBe(501);
    expect(await res.json()).toEqual({ code: "unimplemented", message: MESSAGE });
  });
});
