// Checks and picks the loopback ports `npm run dev` listens on, before anything starts.
//
// Usage: node scripts/dev-ports.mjs NAME=PORT …
// Each PORT must be free on 127.0.0.1, else this fails naming NAME (the variable to change);
// PORT 0 asks the system for a free one. Prints the ports on one line, in the order given, all
// distinct.
import { createServer } from "node:net";

const HOST = "127.0.0.1";

/** @param {number} port @returns {Promise<import("node:net").Server | undefined>} a server holding the port, or undefined if it is taken */
function hold(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen({ port, host: HOST, exclusive: true }, () => resolve(server));
  });
}

/** @param {string[]} specs @returns {Promise<{ ports: number[] } | { error: string }>} */
export async function pickPorts(specs) {
  const held = [];
  try {
    const ports = [];
    for (const spec of specs) {
      const m = /^([A-Z_][A-Z0-9_]*)=(\d{1,5})$/.exec(spec);
      if (m === null || Number(m[2]) > 65535) return { error: `${spec}: want NAME=PORT, PORT a number from 0 (any free port) to 65535` };
      const [, name, wanted] = m;
      // Held until every port is chosen, so the system cannot hand out the same free port twice.
      const server = await hold(Number(wanted));
      if (server === undefined) {
        return { error: `port ${wanted} (${name}) is already in use on ${HOST}: is another \`npm run dev\` running? Stop it, or set ${name} to a free port` };
      }
      held.push(server);
      ports.push(/** @type {import("node:net").AddressInfo} */ (server.address()).port);
    }
    return { ports };
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await pickPorts(process.argv.slice(2));
  if ("error" in result) {
    process.stderr.write(`dev: ${result.error}\n`);
    process.exit(1);
  }
  process.stdout.write(`${result.ports.join(" ")}\n`);
}
