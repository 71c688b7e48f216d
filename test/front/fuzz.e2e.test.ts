// Property-based tests (fast-check) over the JSON front doors, the docs API and eskit's Append:
// random JSON, ids and headers get only documented answers, never `internal` or a hang, and
// whatever is accepted reads back. Seed: FUZZ_SEED (default below); runs: FUZZ_RUNS.
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { MAX_JSON_DEPTH, jsonDepth } from "../../src/payload/json-depth.js";
import { TOKEN, call, freshId } from "../helpers.js";

declare module "vitest" {
  export interface ProvidedContext {
    fuzzSeed: string;
    fuzzRuns: string;
    fuzzStats: string;
  }
}

// vitest.config.ts provides FUZZ_SEED / FUZZ_RUNS / FUZZ_STATS from the shell (workerd has no process.env of its own).
const seed = Number(inject("fuzzSeed") || 20261207);
const numRuns = Number(inject("fuzzRuns") || 30);
/** FUZZ_STATS=1 logs every answer's status and code (to see what the generators reach). */
const stats = inject("fuzzStats") !== "";
const ADMIN_TOKEN = "admin-token-0123456789abcdef";
/** One request may take this long before the property fails as a hang. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The JSON APIs' documented error codes and their HTTP statuses (README, Errors). */
const DOCUMENTED: Record<string, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  aborted: 409,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 413,
  out_of_range: 400,
};

type Answer = { status: number; etag: string | null; body: any };

/** A fetch through the front door that fails (rather than hangs) after REQUEST_TIMEOUT_MS. */
async function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const hdrs: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${TOKEN}`, ...headers };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${method} ${path} took over ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      (async () => {
        const res = await call(path, { method, body, headers: hdrs });
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new Error(`${method} ${path}: ${res.status} answered a body that is not JSON: ${text.slice(0, 200)}`);
        }
        if (stats) console.log("STAT", method, path.split("/")[2] ?? path, res.status, (parsed as any)?.code ?? "", String((parsed as any)?.message ?? "").slice(0, 160));
        return { status: res.status, etag: res.headers.get("etag"), body: parsed };
      })(),
      timeout,
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Asserts a non-2xx answer is a documented `{code, message}` error with its documented status. */
function expectDocumentedError(a: Answer, what: string, except: string[] = []): void {
  const allowed = Object.fromEntries(Object.entries(DOCUMENTED).filter(([code]) => !except.includes(code)));
  const ctx = `${what} → ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`;
  expect(typeof a.body?.code, ctx).toBe("string");
  expect(typeof a.body?.message, ctx).toBe("string");
  expect(Object.keys(allowed), ctx).toContain(a.body.code);
  expect(a.status, ctx).toBe(allowed[a.body.code] ?? -1);
}

/** A path segment for `id`: percent-encoded, but lone surrogates left raw (the URL parser makes them U+FFFD). */
function segment(id: string): string {
  let out = "";
  for (const ch of id) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      out += ch;
    }
  }
  return out;
}

// ---- arbitraries ----------------------------------------------------------------------------

const key = fc.string({ unit: "grapheme", maxLength: 8 });
const scalar = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
);
/** JSON without nulls (a null in a document is documented to vanish on its next update). */
const { value: noNullJson } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", maxDepth: 4 }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
}));
const noNullObject = fc.dictionary(key, noNullJson, { maxKeys: 5 });

/** A JSON object `depth` levels deep (objects and arrays mixed, as `shape` says). */
function nestedTo(depth: number, shape: boolean[], leaf: unknown): Record<string, unknown> {
  let v: unknown = leaf;
  for (let i = depth - 1; i >= 1; i--) v = shape[i % shape.length] ? [v] : { k: v };
  return { top: v };
}
/** Objects nested around the documented limit. */
const deepObject = (around: number) =>
  fc
    .tuple(fc.integer({ min: around - 3, max: around + 3 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), scalar)
    .map(([d, shape, leaf]) => nestedTo(d, shape, leaf));

/** A JSON object for an event: no top-level "_" keys (the test handler reads those). */
const eventObject = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(key.filter((k) => !k.startsWith("_")), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }) },
  // Inside {"command": {"events": [event]}}, two levels deeper: around the command's limit.
  { weight: 1, arbitrary: deepObject(MAX_JSON_DEPTH - 2) },
);

/** Strings built around separators and URL syntax (line terminators once made ids unroutable). */
const trickyString = fc
  .array(fc.oneof(fc.constantFrom("\n", "\r", "\u2028", "\u2029", "\u0085", "\t", " ", "/", "%", "?", "#", ".", "..", "\ufeff"), fc.string({ unit: "grapheme", maxLength: 3 })), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(""))
  .filter((s) => s.length > 0);

/** Ids: unicode, full code points, lone surrogates, separators, percent-encoded junk (sent raw). */
const entityId = fc.oneof(
  trickyString.map((s) => ({ raw: false, id: s })),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).map((s) => ({ raw: false, id: s })),
  fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).map((s) => ({ raw: false, id: s })),
  fc.string({ unit: "grapheme", minLength: 250, maxLength: 260 }).map((s) => ({ raw: false, id: s })),
  fc
    .array(fc.oneof(fc.constantFrom("%FF", "%ED%A0%80", "%zz", "%", "%2F", "%C3%A9", "%00", "%20", "%E2%80%AE"), fc.stringMatching(/^[a-z0-9]{1,4}$/)), {
      minLength: 1,
      maxLength: 6,
    })
    .map((parts) => ({ raw: true, id: parts.join("") })),
);

/** Header values: printable ASCII (workerd's fetch warns at every Latin-1 one, and sends it as UTF-8 anyway). */
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });

/** The value JSON text would give (drops -0 and the like). */
const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v));

// ---- 1. commands ----------------------------------------------------------------------------

describe("fuzz: commands via POST /api/v1/entities/{id}/commands", { timeout: 120_000 }, () => {
  it("answers documented codes only, and what it accepts reads back", async () => {
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.record({ command: fc.record({ events: fc.array(eventObject, { minLength: 1, maxLength: 3 }) }) }, { requiredKeys: ["command"] }) },
      { weight: 1, arbitrary: fc.record({ command: deepObject(MAX_JSON_DEPTH) }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      {
        weight: 1,
        arbitrary: fc.record(
          { command: fc.constant({}), expected_revision: fc.jsonValue({ maxDepth: 1 }), idempotency_key: fc.jsonValue({ maxDepth: 1 }) },
          { requiredKeys: ["command"] },
        ),
      },
    );
    const headers = fc.record(
      {
        authorization: fc.oneof(
          { weight: 6, arbitrary: fc.constant(`Bearer ${TOKEN}`) },
          { weight: 1, arbitrary: fc.constant(`Bearer ${ADMIN_TOKEN}`) },
          { weight: 1, arbitrary: headerValue },
        ),
        "idempotency-key": fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[!-~]{1,40}$/) }, { weight: 1, arbitrary: headerValue }),
        "content-type": fc.oneof(fc.constant("application/json"), headerValue),
        "x-fuzz": headerValue,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(entityId, body, headers, async ({ raw, id }, b, h) => {
        const path = `/api/v1/entities/${raw ? id : segment(id)}`;
        const a = await send("POST", `${path}/commands`, JSON.stringify(b), h);
        if (a.status >= 200 && a.status < 300) {
          expect(a.body.meta, JSON.stringify(a.body).slice(0, 300)).toBeTypeOf("object");
          const read = await send("GET", path);
          expect(read.status, `accepted ${path} but GET answered ${JSON.stringify(read.body).slice(0, 300)}`).toBe(200);
          expect(read.body.meta.revision_number).toBeGreaterThanOrEqual(a.body.meta.revision_number);
          const events = (b as { command?: { events?: unknown[] } }).command?.events;
          if (Array.isArray(events) && a.body.meta.revision_number === read.body.meta.revision_number) {
            // The test handler folds each event into {count, last: event, revision}.
            expect(read.body.state.last, `${path}: state after ${JSON.stringify(events).slice(0, 300)}`).toEqual(viaJson(events.at(-1)));
          }
          expect((await send("GET", `${path}/events`)).status).toBe(200);
        } else {
          // Never not_found: every non-empty id has the route (a `.+` pattern once missed line terminators).
          expectDocumentedError(a, `POST ${path}/commands ${JSON.stringify(b).slice(0, 200)}`, ["not_found"]);
        }
      }),
      { seed, numRuns },
    );
  });
});

// ---- 2. docs --------------------------------------------------------------------------------

/** RFC 7396 MergePatch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}


type DocOp = { op: "put"; doc: Record<string, unknown> } | { op: "patch"; patch: Record<string, unknown> } | { op: "delete" } | { op: "get" };
const docOp: fc.Arbitrary<DocOp> = fc.oneof(
  { weight: 3, arbitrary: noNullObject.map((doc) => ({ op: "put" as const, doc })) },
  { weight: 1, arbitrary: deepObject(MAX_JSON_DEPTH - 1).map((doc) => ({ op: "put" as const, doc })) },
  { weight: 3, arbitrary: fc.dictionary(key, fc.oneof(fc.constant(null), noNullJson), { maxKeys: 4 }).map((patch) => ({ op: "patch" as const, patch })) },
  { weight: 1, arbitrary: fc.constant({ op: "delete" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "get" as const }) },
);

describe("fuzz: the docs API", { timeout: 120_000 }, () => {
  it("answers documented codes only, and reads back what a reference merge patch gives", async () => {
    const type = `Fuzz${Date.now().toString(36)}`;
    const docId = fc.oneof(
      trickyString,
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
      fc.string({ unit: "binary", minLength: 1, maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(docId, fc.array(docOp, { minLength: 1, maxLength: 5 }), async (rawId, ops) => {
        // A fresh document per run: the id is random, the suffix keeps runs apart.
        const id = `${rawId}~${freshId("f")}`;
        const path = `/api/v1/docs/${type}/${segment(id)}`;
        if (/[\u0000-\u001f\u007f-\u009f]/.test(id) || /^\s/u.test(id)) {
          // The entity id rules refuse it: every route says so, and nothing is created.
          for (const [method, body] of [["PUT", "{}"], ["PATCH", "{}"], ["DELETE", undefined], ["GET", undefined]] as const) {
            const a = await send(method, path, body, { "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json" });
            expect([a.status, a.body.code, a.body.message], `${method} ${path}`).toEqual([400, "invalid_argument", expect.stringMatching(/entity ID/)]);
          }
          return;
        }
        let model: Record<string, unknown> | undefined;
        for (const op of ops) {
          const what = `${op.op} ${path} ${JSON.stringify(op).slice(0, 200)} on ${JSON.stringify(model)?.slice(0, 200)}`;
          if (op.op === "put") {
            const a = await send("PUT", path, JSON.stringify(op.doc));
            if (a.status === 400 && a.body.code === "invalid_argument") {
              // Only an id the rules refuse, or a document past the depth limit.
              expect(jsonDepth(op.doc, MAX_JSON_DEPTH) > MAX_JSON_DEPTH - 1 || /entity ID/.test(a.body.message), what + a.body.message).toBe(true);
              continue;
            }
            expect(a.status, `${what} → ${JSON.stringify(a.body).slice(0, 300)}`).toBe(model === undefined ? 201 : 200);
            model = viaJson(op.doc);
          } else if (op.op === "patch") {
            const a = await send("PATCH", path, JSON.stringify(op.patch), { "content-type": "application/merge-patch+json" });
            if (model === undefined) {
              expectDocumentedError(a, what);
              expect([a.status, a.body.code], what).toEqual([404, "not_found"]);
              continue;
            }
            const expected = viaJson(mergePatch(model, op.patch)) as Record<string, unknown>;
            if (a.status === 400) {
              expectDocumentedError(a, what);
              expect(jsonDepth(expected, MAX_JSON_DEPTH) > MAX_JSON_DEPTH - 1, `${what}: ${a.body.message}`).toBe(true);
              continue;
            }
            expect(a.status, `${what} → ${JSON.stringify(a.body).slice(0, 300)}`).toBe(200);
            expect(a.body.document, what).toEqual(expected);
            model = expected;
          } else if (op.op === "delete") {
            const a = await send("DELETE", path);
            if (model === undefined) {
              expect([a.status, a.body.code], what).toEqual([404, "not_found"]);
            } else {
              expect(a.status, `${what} → ${JSON.stringify(a.body).slice(0, 300)}`).toBe(200);
              model = undefined;
            }
          }
          const read = await send("GET", path);
          if (model === undefined) {
            expect([read.status, read.body.code], what).toEqual([404, "not_found"]);
          } else {
            expect(read.status, `${what} → GET ${JSON.stringify(read.body).slice(0, 300)}`).toBe(200);
            expect(read.body.document, what).toEqual(model);
            expect(read.etag).toBe(`"${read.body.version}"`);
          }
        }
        const list = await send("GET", `/api/v1/docs/${type}?limit=5`);
        expect(list.status, JSON.stringify(list.body)).toBe(200);
        expect(Array.isArray(list.body.documents)).toBe(true);
      }),
      { seed, numRuns },
    );
  });
});

// ---- 3. eskit Append ------------------------------------------------------------------------

const APPEND = "/contracts.eventstore.EventstoreService/Append";
const GET_EVENTS = "/contracts.eventstore.EventstoreService/GetEvents";
/** Connect's HTTP statuses for the codes Append documents. */
const CONNECT_STATUS: Record<string, number> = {
  invalid_argument: 400,
  already_exists: 409,
  failed_precondition: 400,
  resource_exhausted: 429,
  unauthenticated: 401,
};

describe("fuzz: eskit EventstoreService.Append over Connect JSON", { timeout: 120_000 }, () => {
  it("answers documented codes only, and appended events read back", async () => {
    const payload = fc.oneof(
      { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: deepObject(MAX_JSON_DEPTH).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    );
    const eventType = fc.oneof(
      { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,10}\.[A-Za-z0-9_.-]{1,10}$/) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
    );
    const version = fc.oneof({ weight: 4, arbitrary: fc.constant("1") }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom("0", "2", "01", "-1", "", " 1", "1e0"), fc.string({ maxLength: 4 })) });
    const id = fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }).map((s) => `${s}~${freshId("k")}`) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }).map((s) => `${s}~${freshId("k")}`) },
    );
    const extra = fc.record(
      {
        occured_on: fc.oneof(
          { weight: 4, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
        ),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(id, version, eventType, payload, extra, async (oid, ver, et, pl, ex) => {
        const event = { originator: { id: oid, version: ver }, event_type: et, payload: pl, ...ex };
        const what = `Append ${JSON.stringify(event).slice(0, 300)}`;
        const a = await send("POST", APPEND, JSON.stringify({ event }));
        if (a.status === 200) {
          const read = await send("POST", GET_EVENTS, JSON.stringify({ originator: { id: oid } }));
          expect(read.status, `${what}: GetEvents ${JSON.stringify(read.body).slice(0, 300)}`).toBe(200);
          const events = read.body.events as any[];
          expect(events.length, what).toBeGreaterThanOrEqual(1);
          const first = events[0];
          expect(first.originator.version, what).toBe(ver);
          expect(first.eventType, what).toBe(et);
          expect(first.payload ?? "", what).toBe(pl);
        } else {
          const ctx = `${what} → ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`;
          expect(Object.keys(CONNECT_STATUS), ctx).toContain(a.body?.code);
          expect(a.status, ctx).toBe(CONNECT_STATUS[a.body.code] ?? -1);
          expect(typeof a.body.message, ctx).toBe("string");
        }
      }),
      { seed, numRuns },
    );
  });
});
