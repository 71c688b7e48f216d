// Helpers for read-side tests: the admin API through the front door, and the test read-side handler.
import { env } from "cloudflare:test";
import { onTestFinished, vi } from "vitest";
import type { Behaviour, Call } from "../fixtures/read-side-handler/behaviour.js";
import { BASE } from "../helpers.js";
import { frontDoor } from "../support/front-door.js";

export const ADMIN_TOKEN = "admin-token-0123456789abcdef";

/** A request to the admin API with the admin token; returns status and parsed body. */
export async function admin(path: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${ADMIN_TOKEN}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const res = await frontDoor().fetch(`${BASE}/admin/v1${path}`, { ...init, headers });
  return { status: res.status, body: await res.json() };
}

/**
 * Registers a read side pointing at the test handler (URL) unless `input` says otherwise. One
 * registered inside a test is deleted once the test ends, so its deliveries and retries stop with
 * it: they would otherwise share the partitions' batches with the next tests' read sides (slowing
 * them by their backoffs) and outlive the file.
 */
export async function createReadSide(input: Record<string, unknown>): Promise<any> {
  const res = await admin("/read-sides", { method: "POST", body: JSON.stringify({ url: env.READ_SIDE_HANDLER_URL, ...input }) });
  if (res.status !== 201) throw new Error(`create read side: ${res.status} ${JSON.stringify(res.body)}`);
  deleteWhenTestEnds(res.body.id);
  return res.body;
}

/** Deletes read side `id` once the current test ends; outside a test (a beforeAll), nothing. */
export function deleteWhenTestEnds(id: string): void {
  try {
    onTestFinished(async () => {
      await admin(`/read-sides/${encodeURIComponent(id)}`, { method: "DELETE" });
    });
  } catch {
    // Not inside a test: the read side is the file's, and outlives each test on purpose.
  }
}

/** Tells the test handler how to answer read side `id` (and clears its log of calls). */
export async function behave(id: string, b: Behaviour): Promise<void> {
  const res = await fetch(`${env.READ_SIDE_HANDLER_URL}/control/${encodeURIComponent(id)}`, { method: "POST", body: JSON.stringify(b) });
  if (!res.ok) throw new Error(`control: ${res.status}`);
}

/** The calls read side `id` received, optionally for one entity. */
export async function callsOf(id: string, entityId?: string): Promise<Call[]> {
  const res = await fetch(`${env.READ_SIDE_HANDLER_URL}/control/${encodeURIComponent(id)}`);
  const { calls } = (await res.json()) as { calls: Call[] };
  return entityId === undefined ? calls : calls.filter((c) => c.entityId === entityId);
}

/** Successful revisions, in the order the handler saw them. */
export function okRevisions(calls: Call[]): number[] {
  return calls.filter((c) => c.successful).map((c) => c.revision);
}

/** Waits until `check` passes (the consumer runs asynchronously behind the Queue). */
export async function eventually<T>(check: () => Promise<T>, timeout = 15_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 50 });
}

/**
 * Asserts the ordering guarantee on a log of calls for one entity: every call for revision r > first
 * comes after a successful call for r - 1 (or for a revision the cursor had already passed).
 */
export function assertOrdered(calls: Call[], firstRevision = 1): void {
  const done = new Set<number>();
  for (const c of calls) {
    if (c.revision > firstRevision && !done.has(c.revision - 1)) {
      throw new Error(`revision ${c.revision} was delivered before ${c.revision - 1} succeeded: ${JSON.stringify(calls.map((x) => [x.revision, x.successful]))}`);
    }
    if (c.successful) done.add(c.revision);
  }
}

let n = 0;
/** A fresh read side id. */
export function freshReadSideId(prefix = "rs"): string {
  n += 1;
  return `${prefix}-${Date.now().toString(36)}-${n}`;
}
