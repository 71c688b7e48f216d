// The operator console in a real browser (Chromium) against `npm run dev`: sign-in, live entity and
// log views, read side actions with their confirmations, a parked event, a document's history, and
// the layout at desktop and phone width. Screenshots go to CONSOLE_SCREENSHOTS_DIR.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Page, expect, test } from "@playwright/test";
import { ADMIN_TOKEN, API_TOKEN } from "./dev-server.js";

const base = () => process.env.CONSOLE_BASE_URL as string;
const shots = process.env.CONSOLE_SCREENSHOTS_DIR ?? join(import.meta.dirname, "results/screenshots");
mkdirSync(shots, { recursive: true });

/** Calls Statehouse from the test (as curl would), with the right token. */
async function api(path: string, init: { method?: string; body?: unknown; admin?: boolean; contentType?: string } = {}) {
  const res = await fetch(base() + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${init.admin ? ADMIN_TOKEN : API_TOKEN}`, "content-type": init.contentType ?? "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const command = (id: string, c: Record<string, unknown>) => api(`/api/v1/entities/${id}/commands`, { body: { command: c } });

/** Fails the test on any request that leaves the console's origin, and on CSP violations. */
function guard(page: Page): string[] {
  const problems: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.protocol !== "data:" && url.origin !== base()) problems.push(`third-party request: ${r.url()}`);
  });
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return problems;
}

async function signIn(page: Page) {
  await page.goto(`${base()}/console/`);
  await page.getByLabel("Admin token", { exact: true }).fill(ADMIN_TOKEN);
  await page.getByLabel("API token", { exact: true }).fill(API_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Pages" })).toBeVisible();
}

test.describe.configure({ mode: "serial" });

test("npm run dev prints the console's URL", () => {
  const log = readFileSync(process.env.CONSOLE_DEV_LOG as string, "utf8");
  expect(log).toContain(`console: ${base()}/console/`);
});

test("the console is served with a strict Content-Security-Policy, and API routes still win", async () => {
  const page = await fetch(`${base()}/console/`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  const log = await fetch(`${base()}/api/v1/log`);
  expect(log.status).toBe(401);
  expect(((await log.json()) as { code: string }).code).toBe("unauthenticated");
});

test("a wrong token is refused and the right ones sign in, kept out of the URL", async ({ page }) => {
  const problems = guard(page);
  await page.goto(`${base()}/console/`);
  await page.getByLabel("Admin token", { exact: true }).fill("not-the-admin-token-at-all");
  await page.getByLabel("API token", { exact: true }).fill(API_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("invalid admin bearer token");
  await page.screenshot({ path: join(shots, "sign-in.png") });

  // Keyboard only: the fields and the button are reachable and labelled.
  await page.getByLabel("Admin token", { exact: true }).fill("");
  await page.getByLabel("Admin token", { exact: true }).focus();
  await page.keyboard.type(ADMIN_TOKEN);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("link", { name: "Read sides" })).toBeVisible();
  expect(page.url()).not.toContain(ADMIN_TOKEN);
  expect(await page.evaluate(() => sessionStorage.getItem("statehouse.console.session"))).toContain(ADMIN_TOKEN);
  expect(problems).toEqual([]);
});

test("a command's event appears live in the entity view and in the log", async ({ page }) => {
  const problems = guard(page);
  await command("acct-ui", { type: "open", owner: "Ada" });
  await signIn(page);
  await page.goto(`${base()}/console/#/entities/acct-ui`);
  await expect(page.getByRole("heading", { name: /acct-ui/ })).toBeVisible();
  await expect(page.locator(".live .badge")).toHaveText("live");
  await command("acct-ui", { type: "deposit", amount: 100 });
  const tail = page.getByRole("list", { name: "Live events" });
  await expect(tail).toContainText("#2");
  await expect(tail).toContainText('"amount":100');
  // The journal pages both ways and shows each event, state and meta.
  await page.reload();
  await page.locator(".journal summary").first().click();
  await expect(page.getByRole("region", { name: "Event 1" })).toContainText('"owner": "Ada"');
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByRole("table", { name: "Changes from 1 to 2" })).toContainText("balance");
  await page.screenshot({ path: join(shots, "entity.png"), fullPage: true });
  // Found by prefix (the entity index the read pipeline keeps), and opened from the list.
  await page.getByLabel("Id prefix").fill("acct-u");
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("link", { name: "acct-ui", exact: true }).click();
  await expect(page.getByRole("heading", { name: /acct-ui/ })).toBeVisible();

  await page.getByRole("link", { name: "Log" }).click();
  await expect(page.locator(".live .badge")).toHaveText("live");
  await command("acct-ui", { type: "deposit", amount: 7 });
  const live = page.getByRole("table", { name: "Live log entries, newest first" });
  await expect(live).toContainText('"amount":7');
  await expect(live).toContainText("acct-ui");
  // Paused, the view stops; resumed, it picks up what was committed meanwhile.
  await page.getByRole("button", { name: "Pause live log" }).click();
  await expect(page.locator(".live .badge")).toHaveText("paused");
  await command("acct-ui", { type: "deposit", amount: 8 });
  await page.waitForTimeout(500);
  await expect(live).not.toContainText('"amount":8');
  await page.getByRole("button", { name: "Resume live log" }).click();
  await expect(live).toContainText('"amount":8');
  // Filters: an entity that is not there, then a jump to offset 1.
  await page.getByLabel("From offset").fill("1");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("table", { name: "Log entries", exact: true })).toContainText('"owner":"Ada"');
  await expect(page.getByText("head 4, oldest 1")).toBeVisible();
  await page.screenshot({ path: join(shots, "log.png"), fullPage: true });
  // The entity filter is the server's: another entity's events from offset 1 show, acct-ui's do not.
  await command("acct-other", { type: "open", owner: "Cy" });
  await page.getByLabel("Entity id").fill("acct-other");
  const entries = page.getByRole("table", { name: "Log entries", exact: true });
  // The event reaches the log through the events queue: apply again until it is there.
  await expect(async () => {
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(entries).toContainText('"owner":"Cy"', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(entries).not.toContainText("acct-ui");
  await page.getByLabel("Entity id").fill("nobody-here");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("No entry here.")).toBeVisible();
  expect(problems).toEqual([]);
});

test("a read side is paused and resumed, each after a confirmation", async ({ page }) => {
  const problems = guard(page);
  await signIn(page);
  await page.goto(`${base()}/console/#/read-sides/bank-balances`);
  const state = page.getByTestId("rs-state");
  await expect(state).toHaveText("running");
  await page.getByRole("group", { name: "Actions on bank-balances" }).getByRole("button", { name: "Pause" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Pause stops deliveries on every shard of bank-balances");
  // Escape cancels: nothing changes.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(state).toHaveText("running");
  await page.getByRole("group", { name: "Actions on bank-balances" }).getByRole("button", { name: "Pause" }).click();
  await page.getByRole("button", { name: "Yes, pause" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Paused bank-balances." })).toBeVisible();
  await expect(state).toHaveText("paused");
  // Paused, a new event waits: its shard's lag is listed (the page rereads the status every 5 s).
  await command("acct-paused", { type: "open", owner: "Bo" });
  await expect(page.getByTestId("rs-lag-by-shard")).toContainText(/shard \d+: \d+ events, oldest waiting \d+ (s|min)/, { timeout: 20_000 });
  await page.getByRole("group", { name: "Actions on bank-balances" }).getByRole("button", { name: "Restart" }).click();
  await expect(page.getByRole("dialog")).toContainText(/Restart replays \d+ events to bank-balances/);
  await page.screenshot({ path: join(shots, "read-side-confirm.png") });
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("group", { name: "Actions on bank-balances" }).getByRole("button", { name: "Resume" }).click();
  await page.getByRole("button", { name: "Yes, resume" }).click();
  await expect(state).toHaveText("running");
  expect(problems).toEqual([]);
});

test("a failing read side's event is skipped from the console, then parked, shown and deleted", async ({ page }) => {
  const problems = guard(page);
  // Port 9 (discard) on loopback: nothing listens, so every delivery fails at once.
  await api("/admin/v1/read-sides", { admin: true, body: { id: "broken", url: "http://127.0.0.1:9", policy: "STOP" } });
  await command("acct-broken", { type: "open", owner: "Grace" });
  await signIn(page);
  await page.goto(`${base()}/console/#/read-sides/broken`);
  const failing = page.getByRole("table", { name: "Failing entities" });
  await expect(failing).toContainText("acct-broken", { timeout: 20_000 });
  await page.getByRole("button", { name: /^Skip acct-broken revision 1$/ }).click();
  await expect(page.getByRole("dialog")).toContainText("Skip moves 1 failing entity past its failing event (acct-broken)");
  await page.getByRole("button", { name: "Yes, skip" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Skipped 1." })).toBeVisible();
  const parked = page.getByRole("list", { name: "Parked events" });
  await expect(parked).toContainText("acct-broken@1");
  await parked.locator("summary").filter({ hasText: "acct-broken@1" }).click();
  await expect(parked.getByRole("region", { name: "Event" })).toContainText('"owner": "Grace"');
  await page.screenshot({ path: join(shots, "read-side-parked.png"), fullPage: true });
  await page.getByRole("button", { name: "Delete acct-broken@1" }).click();
  await expect(page.getByRole("dialog")).toContainText("Delete parked event acct-broken@1 from broken: 1 event");
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(parked.getByText("acct-broken@1")).toBeHidden();
  expect(problems).toEqual([]);
});

test("a document's history is listed and an old version opened", async ({ page }) => {
  const problems = guard(page);
  const schema = { type: "object", properties: { name: { type: "string" }, owner: { type: "string" } }, required: ["name"] };
  await api("/contracts.crudstore.CrudStoreService/RegisterType", {
    body: { spec: { entityType: "Project", schemaSpec: { schemaVersion: 1, jsonSchema: JSON.stringify(schema) } } },
  });
  await api("/api/v1/docs/Project/p1", { method: "PUT", body: { name: "Apollo", owner: "Ada", tags: ["space"] } });
  await api("/api/v1/docs/Project/p1", { method: "PATCH", body: { owner: "Grace", tags: null }, contentType: "application/merge-patch+json" });
  await api("/api/v1/log/consumers/billing", { method: "PUT", body: { offset: 1 } });
  await signIn(page);
  await page.goto(`${base()}/console/#/eskit/Project`);
  const types = page.getByRole("list", { name: "Registered types" });
  await types.locator("summary").filter({ hasText: "Project" }).click();
  await expect(types.getByRole("region", { name: "Schema of Project" })).toContainText('"required"');
  await page.getByRole("link", { name: "p1" }).click();
  const versions = page.getByRole("table", { name: "Versions of p1" });
  await expect(versions).toContainText("Project.Created");
  await expect(versions).toContainText("Project.Updated");
  await page.getByRole("button", { name: "Open version 1" }).click();
  const opened = page.getByRole("region", { name: /p1 at version 1 \(an old version\)/ });
  await expect(opened).toContainText('"owner": "Ada"');
  await expect(page.getByRole("table", { name: "Consumers" })).toContainText("billing");
  await page.screenshot({ path: join(shots, "eskit.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("the overview shows rates, read sides with lag and parked counts, and dead letters", async ({ page }) => {
  const problems = guard(page);
  await signIn(page);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await command("acct-ui", { type: "deposit", amount: 1 });
  await expect(page.getByRole("img", { name: /^events\/s/ })).toBeVisible();
  const table = page.getByRole("table").first();
  await expect(table).toContainText("bank-balances");
  await expect(table).toContainText("broken");
  await expect(page.getByText(/\d+ pending/)).toBeVisible();
  // Two scrapes (5 s apart) give the first command and error rates.
  await expect(page.getByRole("img", { name: /^commands\/s/ })).toBeVisible();
  await page.waitForTimeout(6000);
  await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("at phone width every page fits the screen and the navigation stays usable", async ({ page }) => {
  const problems = guard(page);
  await api("/api/v1/docs/Project/p1", { method: "PUT", body: { name: "Apollo", owner: "Ada", tags: ["space"] } });
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  for (const path of ["overview", "entities/acct-ui", "log", "read-sides/bank-balances", "eskit/Project/p1"]) {
    await page.goto(`${base()}/console/#/${path}`);
    await expect(page.locator("main h1")).toBeVisible();
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      // The outermost elements reaching past the right edge name the culprit in the failure.
      const wide = Array.from(document.querySelectorAll("body *"))
        .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !((el.parentElement?.getBoundingClientRect().right ?? 0) > width + 0.5))
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
      return { by: document.documentElement.scrollWidth - width, wide };
    });
    expect(overflow.by, `page ${path} scrolls sideways (past the edge: ${overflow.wide.join(", ")})`).toBe(0);
  }
  await page.goto(`${base()}/console/#/read-sides/bank-balances`);
  await expect(page.getByTestId("rs-state")).toHaveText("running");
  await expect(page.getByRole("table", { name: "Read sides" })).toContainText("bank-balances");
  await expect(page.getByRole("link", { name: "Entities" })).toBeInViewport();
  await page.screenshot({ path: join(shots, "phone-read-sides.png"), fullPage: true });
  expect(problems).toEqual([]);
});

test("the dev server logged no error while the console was used", () => {
  const errors = readFileSync(process.env.CONSOLE_DEV_LOG as string, "utf8")
    .split("\n")
    .filter((l) => l.includes('"level":"error"'));
  expect(errors).toEqual([]);
});
