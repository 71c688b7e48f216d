// The Emmett peer: Emmett's CommandHandler on its SQLite event store, behind node:http on 127.0.0.1.
// Same work as Statehouse's bench handler: the event is the command's payload, the state is the last event.
// Usage: node server.mjs <db-file> <default|shared>; prints {"port": n} on stdout when listening.
import http from "node:http";
import { CommandHandler } from "@event-driven-io/emmett";
import { getSQLiteEventStore, sqliteConnection } from "@event-driven-io/emmett-sqlite";

const [fileName, mode = "default"] = process.argv.slice(2);
// "default" is Emmett's out-of-the-box file setup (a connection per operation); "shared" keeps one
// connection open, which then must not run two transactions at once, so commands take turns.
const shared = mode === "shared" ? sqliteConnection({ fileName }) : undefined;
const store = getSQLiteEventStore(
  shared ? { fileName, connectionOptions: { singleton: true, connection: shared } } : { fileName },
);
const handle = CommandHandler({
  evolve: (state, event) => ({ count: state.count + 1, last: event.data }),
  initialState: () => ({ count: 0, last: null }),
});

// One command at a time. Per stream would be enough for correctness, but SQLite has one writer and
// Emmett sets no busy timeout: concurrent appends to different streams fail with SQLITE_BUSY.
const tails = new Map();
function serialize(key, task) {
  const run = (tails.get(key) ?? Promise.resolve()).then(task, task);
  const tail = run.then(() => undefined, () => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}

async function command(id, payload) {
  const result = await handle(store, `bench-${id}`, () => ({ type: "Happened", data: { p: payload } }));
  return { count: result.newState.count, version: Number(result.nextExpectedStreamVersion) };
}

async function seed(id, n, size) {
  const p = "x".repeat(size);
  for (let from = 0; from < n; from += 1000) {
    const events = Array.from({ length: Math.min(1000, n - from) }, () => ({ type: "Happened", data: { p } }));
    await store.appendToStream(`bench-${id}`, events);
  }
  return n;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      const url = new URL(req.url, "http://peer");
      const [, what, id] = url.pathname.split("/");
      const key = "*";
      let out;
      if (what === "commands") {
        const body = JSON.parse(Buffer.concat(chunks).toString() || "{}");
        out = await serialize(key, () => command(id, body.p ?? ""));
      } else if (what === "seed") {
        out = await serialize(key, () => seed(id, Number(url.searchParams.get("n")), Number(url.searchParams.get("size") ?? 100)));
      } else {
        res.writeHead(404).end();
        return;
      }
      const json = JSON.stringify(out);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) }).end(json);
    } catch (cause) {
      console.error("peer:", cause);
      res.writeHead(500).end(String(cause));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  process.exit(0);
});
