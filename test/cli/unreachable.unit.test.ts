// The CLI against a Statehouse that is not there: every command fails at once, saying what to check.
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { main } from "../../cli/statehouse.mjs";

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function runCli(argv: string[], env: Record<string, string> = {}) {
  const errs: string[] = [];
  const started = Date.now();
  const code = await main(argv, { env, out: () => {}, err: (s) => errs.push(s) });
  return { code, err: errs.join("\n"), ms: Date.now() - started };
}

describe("the CLI when Statehouse cannot be reached", () => {
  it.each([
    ["log tail", ["log", "tail"]],
    ["read-sides status", ["read-sides", "status"]],
    ["dead-letters list", ["dead-letters", "list"]],
  ])("%s with --server fails at once with the address, the reason and a hint", async (_name, argv) => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const { code, err, ms } = await runCli([...argv, "--server", server]);
    expect(code).toBe(1);
    expect(err).toBe(`statehouse: cannot reach ${server} (ECONNREFUSED): is \`npm run dev\` running? pass --server URL or set STATEHOUSE_URL`);
    // Before the fix, log tail retried ten times, silent, for about 12 s.
    expect(ms).toBeLessThan(3000);
  });

  it("takes the address from STATEHOUSE_URL when --server is not given", async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const { code, err } = await runCli(["log", "tail"], { STATEHOUSE_URL: server });
    expect(code).toBe(1);
    expect(err).toContain(`cannot reach ${server} (ECONNREFUSED)`);
  });
});
