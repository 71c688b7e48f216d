// The bench's read-side handler (Connect binary HandleReadSide): records every delivery; read side
// "flaky" answers unavailable on every 100th call (1%), so Statehouse must retry it.
import { readField, readVarintField } from "./proto-wire.js";

const PATH = "/chief_of_state.v1.ReadSideHandlerService/HandleReadSide";
const dec = new TextDecoder();
/** [read side, entity, revision, received at (ms since epoch)] of each successful delivery. */
const deliveries: [string, string, number, number][] = [];
let calls = 0;
let flakyCalls = 0;
let failed = 0;

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/deliveries") {
      // ?from=N: only the deliveries recorded after the first N (W5 polls incrementally).
      const from = Number(url.searchParams.get("from") ?? 0);
      const out = Response.json({ calls, failed, total: deliveries.length, deliveries: from > 0 ? deliveries.slice(from) : deliveries });
      if (url.searchParams.get("reset") === "1") {
        deliveries.length = 0;
        calls = 0;
        flakyCalls = 0;
        failed = 0;
      }
      return out;
    }
    if (url.pathname !== PATH) return new Response("not found", { status: 404 });
    const body = new Uint8Array(await req.arrayBuffer());
    const meta = readField(body, 3) ?? new Uint8Array();
    const readSide = dec.decode(readField(body, 4) ?? new Uint8Array());
    calls++;
    if (readSide === "flaky" && ++flakyCalls % 100 === 0) {
      failed++;
      return Response.json({ code: "unavailable", message: "bench: planned 1% failure" }, { status: 503 });
    }
    deliveries.push([readSide, dec.decode(readField(meta, 1) ?? new Uint8Array()), readVarintField(meta, 2) ?? 0, Date.now()]);
    return new Response(new Uint8Array([0x08, 0x01]), { headers: { "content-type": "application/proto" } });
  },
} satisfies ExportedHandler;
