// The bundled bank example behind the Service Binding: the README's walk-through, as a test.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { useFrontDoor } from "../support/front-door.js";
import { command, freshId, state } from "../helpers.js";

// Statehouse with the bank example as its write handler (vitest.config.ts, statehouseWorker).
useFrontDoor(env.STATEHOUSE_BANK, env.DB_STATEHOUSE_BANK);

describe("bank example", () => {
  it("opens an account, takes a deposit and a withdrawal", async () => {
    const id = freshId("acct");
    expect((await command(id, { command: { type: "open", owner: "Ada" } })).body.state).toEqual({ owner: "Ada", balance: 0, status: "open" });
    await command(id, { command: { type: "deposit", amount: 100 } });
    const res = await command(id, { command: { type: "withdraw", amount: 30 } });
    expect(res.body.state).toEqual({ owner: "Ada", balance: 70, status: "open" });
    expect(res.body.meta.revision_number).toBe(3);
    expect((await state(id)).body).toEqual(res.body);
  });

  it("rejects a withdrawal over the balance with 412 and keeps the balance", async () => {
    const id = freshId("acct");
    await command(id, { command: { type: "open", owner: "Grace" } });
    await command(id, { command: { type: "deposit", amount: 100 } });
    const res = await command(id, { command: { type: "withdraw", amount: 150 } });
    expect(res.status).toBe(412);
    expect(res.body).toEqual({ code: "failed_precondition", message: "insufficient funds: balance 100, withdrawal 150" });
    expect((await state(id)).body.state.balance).toBe(100);
  });

  it("closes only an empty account", async () => {
    const id = freshId("acct");
    await command(id, { command: { type: "open", owner: "Alan" } });
    await command(id, { command: { type: "deposit", amount: 5 } });
    expect((await command(id, { command: { type: "close" } })).body.message).toBe("balance must be 0 to close (it is 5)");
    await command(id, { command: { type: "withdraw", amount: 5 } });
    expect((await command(id, { command: { type: "close" } })).body.state.status).toBe("closed");
    expect((await command(id, { command: { type: "deposit", amount: 1 } })).body.message).toBe("account is closed");
  });

  it("rejects an unknown command type with 400", async () => {
    const res = await command(freshId("acct"), { command: { type: "rob" } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('unknown command type "rob"');
  });
});
