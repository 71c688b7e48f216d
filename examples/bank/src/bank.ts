// The bank account's rules: commands become events, events fold into the account. Plain JSON values.
import { Code, ConnectError } from "@connectrpc/connect";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

/** The account as the handler keeps it (a google.protobuf.Struct on the wire). */
export interface Account {
  owner: string;
  balance: number;
  status: "open" | "closed";
}

/** Decides which events a command produces; rejects it with a Connect error when a rule says no. */
export function decide(command: JsonObject, account: Account | undefined): JsonObject[] {
  switch (command.type) {
    case "open": {
      if (account !== undefined) throw rule(Code.AlreadyExists, "account is already open");
      const owner = command.owner;
      if (typeof owner !== "string" || owner.trim() === "") throw rule(Code.InvalidArgument, "owner must be a non-empty string");
      return [{ type: "opened", owner }];
    }
    case "deposit":
      requireOpen(account);
      return [{ type: "deposited", amount: amountOf(command) }];
    case "withdraw": {
      const open = requireOpen(account);
      const amount = amountOf(command);
      if (amount > open.balance) {
        throw rule(Code.FailedPrecondition, `insufficient funds: balance ${open.balance}, withdrawal ${amount}`);
      }
      return [{ type: "withdrew", amount }];
    }
    case "close": {
      const open = requireOpen(account);
      if (open.balance !== 0) throw rule(Code.FailedPrecondition, `balance must be 0 to close (it is ${open.balance})`);
      return [{ type: "closed" }];
    }
    default:
      throw rule(Code.InvalidArgument, `unknown command type ${JSON.stringify(command.type ?? null)}: use open, deposit, withdraw or close`);
  }
}

/** Applies one event to the account. */
export function evolve(account: Account | undefined, event: JsonObject): Account {
  switch (event.type) {
    case "opened":
      return { owner: String(event.owner), balance: 0, status: "open" };
    case "deposited":
      return { ...current(account), balance: current(account).balance + Number(event.amount) };
    case "withdrew":
      return { ...current(account), balance: current(account).balance - Number(event.amount) };
    case "closed":
      return { ...current(account), status: "closed" };
    default:
      throw rule(Code.InvalidArgument, `unknown event type ${JSON.stringify(event.type ?? null)}`);
  }
}

/** Reads an account from its JSON form; undefined for a new entity. */
export function accountFrom(state: JsonValue | undefined): Account | undefined {
  if (state === undefined || state === null || typeof state !== "object" || Array.isArray(state)) return undefined;
  if (typeof state.owner !== "string") return undefined;
  return { owner: state.owner, balance: Number(state.balance ?? 0), status: state.status === "closed" ? "closed" : "open" };
}

function requireOpen(account: Account | undefined): Account {
  if (account === undefined) throw rule(Code.FailedPrecondition, "account is not open");
  if (account.status === "closed") throw rule(Code.FailedPrecondition, "account is closed");
  return account;
}

function amountOf(command: JsonObject): number {
  const amount = command.amount;
  if (typeof amount !== "number" || !Number.isFinite(amount) || amount <= 0) {
    throw rule(Code.InvalidArgument, "amount must be a positive number");
  }
  return amount;
}

function current(account: Account | undefined): Account {
  if (account === undefined) throw rule(Code.FailedPrecondition, "account is not open");
  return account;
}

function rule(code: Code, message: string): ConnectError {
  return new ConnectError(message, code);
}
