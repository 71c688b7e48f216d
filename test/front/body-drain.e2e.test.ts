// The door's body drain (src/front/body-limit.ts) within its bounds: a body that stalls does not
// hold the answer, a body past what it drains is not read, a Content-Length is not believed, and a
// body a handler would stop reading halfway is read whole first.
import { describe, expect, it } from "vitest";
import { DRAIN_IDLE_MS, DRAIN_MAX_BYTES } from "../../src/front/body-limit.js";
import { call, freshId } from "../helpers.js";

const CHUNK = 64 * 1024;

/**
 * A request body of 64 KiB chunks that counts what the server pulled. After `stallAfter` chunks it
 * sends nothing more until end() is called: a slow or stalled uploader (a phone losing signal, a
 * slowloris client).
 */
function uploader(chunks: number, stallAfter = chunks) {
  const pulled = { chunks: 0 };
  let release: () => void = () => undefined;
  const resumed = new Promise<void>((resolve) => (release = resolve));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pulled.chunks === chunks) return controller.close();
      if (pulled.chunks === stallAfter) await resumed;
      pulled.chunks += 1;
      controller.enqueue(new Uint8Array(CHUNK).fill(120));
    },
  });
  return { body, pulled, end: () => release() };
}

/** The response, or "no answer" if none came within `ms`. */
function within(res: Promise<Response>, ms: number): Promise<Response | "no answer"> {
  return Promise.race([res, new Promise<"no answer">((resolve) => setTimeout(() => resolve("no answer"), ms))]);
}

describe("a body that stalls does not hold the answer", () => {
  it("answers 401 to an unauthenticated client whose upload stalls", async () => {
    const up = uploader(32, 2);
    const pending = call("/api/v1/entities/x/commands", { method: "POST", body: up.body, auth: false, headers: { "content-type": "application/json" } });
    try {
      const res = await within(pending, 3 * DRAIN_IDLE_MS + 5000);
      expect(res === "no answer" ? res : res.status).toBe(401);
    } finally {
      up.end();
    }
  }, 20_000);
});

describe("a body the door will not drain whole", () => {
  it("answers 413 without reading a body whose Content-Length is past DRAIN_MAX_BYTES (the connection is closed anyway)", async () => {
    const chunks = DRAIN_MAX_BYTES / CHUNK + 128;
    const up = uploader(chunks);
    const res = await call("/api/v1/entities/x/commands", {
      method: "POST",
      body: up.body,
      headers: { "content-type": "application/json", "content-length": String(chunks * CHUNK) },
    });
    expect(res.status).toBe(413);
    // Reading 32 MiB to drop them would not save the answer: the connection is closed past that anyway.
    expect(up.pulled.chunks).toBeLessThan(16);
  });
});

describe("a Content-Length that lies", () => {
  it("refuses a 2 MiB body that declares 100 bytes with 413, not by parsing it", async () => {
    const up = uploader(32);
    const res = await call(`/api/v1/entities/${freshId("lie")}/commands`, {
      method: "POST",
      body: up.body,
      headers: { "content-type": "application/json", "content-length": "100" },
    });
    expect({ status: res.status, code: ((await res.json()) as any).code }).toEqual({ status: 413, code: "resource_exhausted" });
  });
});

describe("a body a handler began to read and gave up on", () => {
  it("drains the rest of a Connect stream request whose envelope claims more than the limit", async () => {
    // connect-es reads the 5-byte envelope header, refuses the 2 MiB length with resource_exhausted and
    // stops reading: had it read the client's stream itself, the rest would never have been read.
    const chunks = 14;
    const pulled = { chunks: 0 };
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled.chunks === chunks) return controller.close();
        const chunk = new Uint8Array(CHUNK).fill(32);
        if (pulled.chunks === 0) chunk.set([0, 0, 0x20, 0, 0]);
        pulled.chunks += 1;
        controller.enqueue(chunk);
      },
    });
    const res = await call("/chief_of_state.v1.ChiefOfStateService/Subscribe", {
      method: "POST",
      body,
      headers: { "content-type": "application/connect+json", "content-length": String(chunks * CHUNK) },
    });
    const text = await res.text();
    expect(text).toContain("resource_exhausted");
    expect(pulled.chunks).toBe(chunks);
  });
});
