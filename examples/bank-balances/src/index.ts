// The bank read side's Worker: HandleReadSide (Connect) keeps balances; GET /balances serves them.
import { toJson, type JsonObject } from "@bufbuild/protobuf";
import { StructSchema, anyUnpack } from "@bufbuild/protobuf/wkt";
import { createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { ReadSideHandlerService } from "../../../src/gen/chief_of_state/v1/readside_pb.js";
import { readBalances, upsertBalance } from "./balances.js";

interface Env {
  BALANCES: D1Database;
}

function router(env: Env) {
  const r = createConnectRouter();
  r.service(ReadSideHandlerService, {
    async handleReadSide(req) {
      const struct = req.state && anyUnpack(req.state, StructSchema);
      const meta = req.meta;
      // Not an account state (some other entity type): nothing to project, and nothing to retry.
      if (struct === undefined || meta === undefined) return { successful: true };
      const state = toJson(StructSchema, struct) as JsonObject;
      if (typeof state.owner !== "string") return { successful: true };
      await upsertBalance(env.BALANCES, {
        account_id: meta.entityId,
        owner: state.owner,
        balance: Number(state.balance ?? 0),
        status: String(state.status ?? "open"),
        revision: meta.revisionNumber,
      });
      return { successful: true };
    },
  });
  return new Map(r.handlers.map((h) => [h.requestPath, createFetchHandler(h)]));
}

let handlers: ReturnType<typeof router> | undefined;

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    if (req.method === "GET" && url.pathname === "/balances") return Response.json({ balances: await readBalances(env.BALANCES) });
    const one = /^\/balances\/(.+)$/.exec(url.pathname);
    if (req.method === "GET" && one) {
      const [row] = await readBalances(env.BALANCES, decodeURIComponent(one[1] as string));
      return row ? Response.json(row) : Response.json({ code: "not_found", message: "no such account" }, { status: 404 });
    }
    handlers ??= router(env);
    const handler = handlers.get(url.pathname);
    return handler ? handler(req) : Response.json({ code: "not_found", message: `no route for ${req.method} ${url.pathname}` }, { status: 404 });
  },
};
