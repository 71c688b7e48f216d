#!/usr/bin/env node
// The `statehouse` CLI: operates read sides and dead letters through a Statehouse's admin API.
import { parseArgs } from "node:util";
import { CliError, createAdminClient } from "./admin-client.mjs";
import { COMMANDS } from "./commands.mjs";
import { tailLog } from "./log-tail.mjs";

const DEFAULT_SERVER = "http://127.0.0.1:8787";

const USAGE = `usage: statehouse <group> <command> [args] [flags]

  read-sides list | get ID | delete ID | status [ID]
  read-sides create ID (--url URL | --binding NAME) [--protocol connect|connect-json|grpc-web|cos-http]
             [--timeout-ms N] [--policy STOP|SKIP|REPLAY_SKIP|REPLAY_STOP] [--retries N] [--backoff-ms N]
             [--event-types a.v1.X,b.v1.Y] [--secret whsec_...] [--paused] [--disabled]
  read-sides update ID [same flags as create, plus --enabled]
  read-sides pause|resume|restart ID [--shard N]
  read-sides skip ID [--entity E | --shard N]
  read-sides offsets ID [--shard N]
  read-sides cursors ID [--entity E] [--shard N] [--failing]
  read-sides parked ID [--entity E]
  read-sides replay ID --entity E --revision N
  dead-letters list [--all] | replay N
  log tail [--from OFFSET] [--type bank.v1.*] [--entity ID] [--count N]
             follows the global event log (without --from: only what is appended from now on)

  --server URL   Statehouse's address, for every command (default: $STATEHOUSE_URL, else
                 http://127.0.0.1:8787, where \`npm run dev\` listens unless PORT says otherwise)
  --token TOKEN  an admin token (default: $STATEHOUSE_ADMIN_TOKEN; not needed when auth is off);
                 for log commands an API token (default: $STATEHOUSE_API_TOKEN)
  --json         print the admin API's raw JSON answer`;

/**
 * Runs the CLI; returns the exit code. Output goes through `out` and `err`.
 * @param {string[]} argv
 * @param {{ env?: Record<string, string | undefined>, out?: (s: string) => void, err?: (s: string) => void, fetch?: typeof fetch }} [io]
 */
export async function main(argv, io = {}) {
  const env = io.env ?? process.env;
  const out = io.out ?? ((s) => process.stdout.write(`${s}\n`));
  const err = io.err ?? ((s) => process.stderr.write(`${s}\n`));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: "string" }, token: { type: "string" }, binding: { type: "string" }, protocol: { type: "string" },
        "timeout-ms": { type: "string" }, policy: { type: "string" }, retries: { type: "string" }, "backoff-ms": { type: "string" },
        "event-types": { type: "string" }, secret: { type: "string" }, paused: { type: "boolean" }, disabled: { type: "boolean" },
        enabled: { type: "boolean" }, shard: { type: "string" }, entity: { type: "string" }, revision: { type: "string" },
        failing: { type: "boolean" }, all: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" },
        server: { type: "string" }, from: { type: "string" }, type: { type: "string" }, count: { type: "string" },
      },
    });
  } catch (cause) {
    err(`statehouse: ${cause instanceof Error ? cause.message : String(cause)}\n\n${USAGE}`);
    return 2;
  }
  const [group, command, ...args] = parsed.positionals;
  if (parsed.values.help || group === undefined) {
    out(USAGE);
    return group === undefined && !parsed.values.help ? 2 : 0;
  }
  if (group === "log" && command === "tail") return runTail(parsed.values, env, out, err, io.fetch);
  const run = COMMANDS[`${group} ${command}`];
  if (run === undefined) {
    err(`statehouse: unknown command "${[group, command].filter(Boolean).join(" ")}"\n\n${USAGE}`);
    return 2;
  }
  const flags = parsed.values;
  const baseUrl = serverOf(flags, env);
  const request = createAdminClient({ baseUrl, token: flags.token ?? env.STATEHOUSE_ADMIN_TOKEN, fetch: io.fetch });
  return exitCode(err, async () => out(flags.json ? JSON.stringify(await rawJson(run, args, flags, request), null, 2) : await run(args, flags, request)));
}

/**
 * Runs a command: 0 when it succeeds, 1 with its one-line reason when it fails as the CLI expects.
 * @param {(s: string) => void} err @param {() => Promise<unknown>} task
 */
async function exitCode(err, task) {
  try {
    await task();
    return 0;
  } catch (cause) {
    if (cause instanceof CliError) {
      err(`statehouse: ${cause.message}`);
      return 1;
    }
    throw cause;
  }
}

/** `log tail`: runs until --count entries were printed, the stream fails, or the process is stopped. */
async function runTail(flags, env, out, err, fetchFn) {
  const whole = (v, what) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new CliError(`${what} must be a whole number`);
    return Number(v);
  };
  return exitCode(err, () =>
    tailLog({
      baseUrl: serverOf(flags, env),
      token: flags.token ?? env.STATEHOUSE_API_TOKEN,
      from: whole(flags.from, "--from"),
      type: flags.type,
      entity: flags.entity,
      count: whole(flags.count, "--count"),
      json: flags.json === true,
      out,
      err,
      fetch: fetchFn,
    }),
  );
}

/** Statehouse's address: --server, else $STATEHOUSE_URL, else `npm run dev`'s default. */
function serverOf(flags, env) {
  return flags.server ?? env.STATEHOUSE_URL ?? DEFAULT_SERVER;
}

/** Runs a command but keeps the last JSON answer instead of its text. */
async function rawJson(run, args, flags, request) {
  let last;
  await run(args, flags, async (...a) => (last = await request(...a)));
  return last;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("/statehouse")) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (cause) => {
      console.error("statehouse: unexpected error:", cause);
      process.exit(1);
    },
  );
}
