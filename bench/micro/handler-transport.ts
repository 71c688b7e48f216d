// npm run bench:micro: the handler client's transport alone, in Node's V8 — connect-es's Connect
// protocol transport against the written-out unary transport (src/handlers/connect-unary.ts), the
// same HandleCommand call and the same canned answer (no network, no handler): paired rounds in
// alternating order, so the machine's drift cancels. Prints a table, writes results/micro-handler-transport.json.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { create, createRegistry, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { type Client, createClient } from "@connectrpc/connect";
import { createTransport } from "@connectrpc/connect/protocol-connect";
import { HandleCommandRequestSchema, HandleCommandResponseSchema, WriteSideHandlerService } from "../../src/gen/chief_of_state/v1/writeside_pb.js";
import { createConnectUnaryTransport } from "../../src/handlers/connect-unary.js";
import type { HandlerFetch } from "../../src/handlers/handler-fetch.js";
import { protocolTransportOptions } from "../../src/handlers/protocol-options.js";

const ROUNDS = Number(process.argv[2] ?? 30);
const CALLS = 2000;
const bytes = (n: number) => new Uint8Array(n).fill(7);
const answer = toBinary(HandleCommandResponseSchema, create(HandleCommandResponseSchema, { events: [create(AnySchema, { typeUrl: "type.googleapis.com/bench.Event", value: bytes(100) })] }));
const headers = new Headers({ "content-type": "application/proto" });
const fetch: HandlerFetch = async () => ({ status: 200, headers, body: answer });
// Binary bodies need no registry (it serves JSON bodies holding an Any).
const options = { baseUrl: "http://handler", fetch, registry: createRegistry() };
const clients = {
  "connect-es createTransport": createClient(WriteSideHandlerService, createTransport(protocolTransportOptions(options, true))),
  "written out (connect-unary.ts)": createClient(WriteSideHandlerService, createConnectUnaryTransport(options, true)),
};
const request = create(HandleCommandRequestSchema, {
  command: create(AnySchema, { typeUrl: "type.googleapis.com/bench.Command", value: bytes(100) }),
  priorState: create(AnySchema, { typeUrl: "type.googleapis.com/bench.State", value: bytes(100) }),
});

/** µs per call over CALLS calls. */
async function usPerCall(client: Client<typeof WriteSideHandlerService>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) await client.handleCommand(request, { timeoutMs: 1000, headers: { "x-tenant": "bench" } });
  return ((performance.now() - started) * 1000) / CALLS;
}

const [a, b] = Object.values(clients);
await usPerCall(a!);
await usPerCall(b!);
const times: [number[], number[]] = [[], []];
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0];
  for (const i of order) times[i as 0 | 1].push(await usPerCall(i === 0 ? a! : b!));
}
const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)] as number;
const saved = times[0].map((x, i) => x - (times[1][i] as number));
const result = {
  startedAt: new Date().toISOString(),
  node: process.version,
  rounds: ROUNDS,
  callsPerRound: CALLS,
  usPerCall: { connectEs: median(times[0]), writtenOut: median(times[1]) },
  pairedMedianSavedUs: median(saved),
  roundsFaster: saved.filter((d) => d > 0).length,
};
const names = Object.keys(clients);
console.log(`| transport | µs per HandleCommand call (median of ${ROUNDS} rounds of ${CALLS}) |\n|---|--:|`);
console.log(`| ${names[0]} | ${result.usPerCall.connectEs.toFixed(1)} |\n| ${names[1]} | ${result.usPerCall.writtenOut.toFixed(1)} |`);
console.log(`\npaired median saving ${result.pairedMedianSavedUs.toFixed(1)} µs per call; the written-out transport was faster in ${result.roundsFaster} of ${ROUNDS} rounds`);
writeFileSync(path.join(import.meta.dirname, "../results/micro-handler-transport.json"), `${JSON.stringify(result, null, 2)}\n`);
