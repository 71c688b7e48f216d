// Playwright: the console in Debian's Chromium (/usr/bin/chromium; no browser is ever downloaded)
// against the Worker `npm run dev` runs, started by dev-server.ts on free loopback ports.
import { defineConfig } from "@playwright/test";
import { CHROMIUM_PATH } from "./dev-server.js";

export default defineConfig({
  testDir: ".",
  testMatch: "*.browser.ts",
  outputDir: "results/artifacts",
  globalSetup: "./dev-server.ts",
  // One dev server, one state: the scenarios run in order, in one worker.
  workers: 1,
  fullyParallel: false,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    launchOptions: { executablePath: CHROMIUM_PATH },
    viewport: { width: 1280, height: 800 },
    trace: "off",
    screenshot: "only-on-failure",
  },
});
