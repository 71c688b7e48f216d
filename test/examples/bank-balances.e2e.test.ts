// The whole CQRS loop of the bank example: commands to accounts, balances served by its read side.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { useFrontDoor } from "../support/front-door.js";
import { command, freshId } from "../helpers.js";
import { admin, eventually } from "../readside/helpers.js";

/** GETs the read side Worker's balances through its Service Binding (as a client would over HTTP). */
async function balance(account: string): Promise<{ status: number; body: any }> {
  const r = await env.BANK_BALANCES.fetch(`http://balances/balances/${encodeURIComponent(account)}`);
  return { status: r.status, body: await r.json() };
}

// Statehouse with the bank example as its write handler (vitest.config.ts, statehouseWorker).
useFrontDoor(env.STATEHOUSE_BANK, env.DB_STATEHOUSE_BANK);

describe("bank example read side", { timeout: 30_000 }, () => {
  it("keeps each account's balance in its own D1, in step with the commands", async () => {
    const created = await admin("/read-sides", { method: "POST", body: JSON.stringify({ id: "bank-balances", binding: "BANK_BALANCES" }) });
    expect(created.status).toBe(201);
    const acct = freshId("acct");
    expect((await command(acct, { command: { type: "open", owner: "ada" } })).status).toBe(200);
    expect((await command(acct, { command: { type: "deposit", amount: 100 } })).status).toBe(200);
    expect((await command(acct, { command: { type: "withdraw", amount: 30 } })).status).toBe(200);
    await eventually(async () => {
      const b = await balance(acct);
      expect(b.body).toMatchObject({ account_id: acct, owner: "ada", balance: 70, status: "open", revision: 3 });
    });
  });
});
