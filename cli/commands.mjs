// The CLI's commands: each turns parsed arguments into admin API calls and printable output.
import { CliError } from "./admin-client.mjs";
import { formatRecord, formatTable } from "./table.mjs";

const enc = encodeURIComponent;

/**
 * Read side fields from flags, for create and update (only the flags given).
 * @param {Record<string, any>} f
 */
function definition(f) {
  /** @type {Record<string, unknown>} */
  const d = {};
  if (f.url !== undefined) d.url = f.url;
  if (f.binding !== undefined) d.binding = f.binding;
  if (f.protocol !== undefined) d.protocol = f.protocol;
  if (f["timeout-ms"] !== undefined) d.timeout_ms = int(f["timeout-ms"], "--timeout-ms");
  if (f.policy !== undefined) d.policy = String(f.policy).toUpperCase();
  if (f.retries !== undefined) d.retries = int(f.retries, "--retries");
  if (f["backoff-ms"] !== undefined) d.backoff_ms = int(f["backoff-ms"], "--backoff-ms");
  if (f["event-types"] !== undefined) d.event_types = String(f["event-types"]).split(",").map((s) => s.trim()).filter(Boolean);
  if (f.secret !== undefined) d.secret = f.secret;
  if (f.disabled) d.enabled = false;
  if (f.enabled) d.enabled = true;
  if (f.paused) d.auto_start = false;
  return d;
}

/** @param {unknown} v @param {string} what */
function int(v, what) {
  if (!/^\d+$/.test(String(v))) throw new CliError(`${what} must be a whole number`);
  return Number(v);
}

/** @param {Record<string, any>} f */
function scope(f) {
  const q = new URLSearchParams();
  if (f.shard !== undefined) q.set("shard", String(int(f.shard, "--shard")));
  if (f.entity !== undefined) q.set("entity", f.entity);
  if (f.failing) q.set("failing", "true");
  if (f.all) q.set("all", "true");
  const s = q.toString();
  return s === "" ? "" : `?${s}`;
}

/** @param {string[]} args @param {string} name */
function need(args, name) {
  const v = args[0];
  if (v === undefined) throw new CliError(`missing ${name}`);
  return v;
}

const SIDE_COLUMNS = ["id", "protocol", "url", "binding", "policy", "enabled", "paused", "source"];
const STATUS_COLUMNS = ["id", "state", "entities", "lag", "lag_seconds", "retrying", "stopped", "parked"];

/**
 * Command table: `group command` → handler(args, flags, request) returning text to print.
 * @type {Record<string, (args: string[], f: Record<string, any>, req: (m: string, p: string, b?: unknown) => Promise<any>) => Promise<string>>}
 */
export const COMMANDS = {
  "read-sides list": async (_a, _f, req) => formatTable((await req("GET", "/read-sides")).read_sides, SIDE_COLUMNS),
  "read-sides get": async (a, _f, req) => formatRecord(await req("GET", `/read-sides/${enc(need(a, "ID"))}`)),
  "read-sides create": async (a, f, req) => formatRecord(await req("POST", "/read-sides", { id: need(a, "ID"), ...definition(f) })),
  "read-sides update": async (a, f, req) => formatRecord(await req("PATCH", `/read-sides/${enc(need(a, "ID"))}`, definition(f))),
  "read-sides delete": async (a, _f, req) => {
    await req("DELETE", `/read-sides/${enc(need(a, "ID"))}`);
    return `deleted ${a[0]}`;
  },
  "read-sides pause": async (a, f, req) => action(req, "pause", need(a, "ID"), f),
  "read-sides resume": async (a, f, req) => action(req, "resume", need(a, "ID"), f),
  "read-sides restart": async (a, f, req) => action(req, "restart", need(a, "ID"), f),
  "read-sides skip": async (a, f, req) => {
    const { skipped } = await req("POST", `/read-sides/${enc(need(a, "ID"))}/skip${scope(f)}`);
    return `skipped the failing event of ${skipped} entit${skipped === 1 ? "y" : "ies"}`;
  },
  "read-sides offsets": async (a, f, req) => formatTable((await req("GET", `/read-sides/${enc(need(a, "ID"))}/offsets${scope(f)}`)).offsets, ["shard", "offset"]),
  "read-sides cursors": async (a, f, req) =>
    formatTable((await req("GET", `/read-sides/${enc(need(a, "ID"))}/cursors${scope(f)}`)).cursors, ["entity_id", "shard", "revision", "head_revision", "lag", "lag_seconds", "status", "failed_revision", "last_error"]),
  "read-sides parked": async (a, f, req) =>
    formatTable((await req("GET", `/read-sides/${enc(need(a, "ID"))}/parked${scope(f)}`)).parked, ["entity_id", "revision", "attempts", "reason"]),
  "read-sides replay": async (a, f, req) => {
    if (f.entity === undefined || f.revision === undefined) throw new CliError("replay needs --entity E --revision N");
    await req("POST", `/read-sides/${enc(need(a, "ID"))}/parked/replay`, { entity_id: f.entity, revision: int(f.revision, "--revision") });
    return `replayed ${f.entity}@${f.revision}`;
  },
  "read-sides status": async (a, _f, req) => {
    if (a[0] === undefined) return formatTable((await req("GET", "/status")).read_sides, STATUS_COLUMNS);
    const s = await req("GET", `/read-sides/${enc(a[0])}/status`);
    const failing = formatTable(s.failing, ["entity_id", "status", "revision", "failed_revision", "attempts", "last_error"]);
    return `${formatTable([s], STATUS_COLUMNS)}\n\nfailing entities:\n${failing}`;
  },
  "dead-letters list": async (_a, f, req) => formatTable((await req("GET", `/dead-letters${scope(f)}`)).dead_letters, ["id", "queue", "attempts", "body", "replayed_at"]),
  "dead-letters replay": async (a, _f, req) => {
    await req("POST", `/dead-letters/${enc(need(a, "N"))}/replay`);
    return `replayed dead letter ${a[0]}`;
  },
};

/** @param {(m: string, p: string) => Promise<any>} req @param {string} verb @param {string} id @param {Record<string, any>} f */
async function action(req, verb, id, f) {
  await req("POST", `/read-sides/${enc(id)}/${verb}${scope(f)}`);
  return `${verb}${verb.endsWith("e") ? "d" : "ed"} ${id}${f.shard !== undefined ? ` (shard ${f.shard})` : ""}`;
}
