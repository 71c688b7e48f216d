// Builds the operator console (Preact) into console/dist, the Worker's static assets: the page under
// /console/ and the `_headers` file that gives it its Content-Security-Policy.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vite";

const here = import.meta.dirname;

/**
 * Everything the page loads comes from its own origin: no inline script or style, no third-party
 * host, no framing. Preact sets styles through the CSSOM, which `style-src 'self'` allows.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const headers = ["Content-Security-Policy: " + CONSOLE_CSP, "X-Content-Type-Options: nosniff", "Referrer-Policy: no-referrer", "X-Frame-Options: DENY"];
const headersFile = ["/console", "/console/*"].map((path) => [path, ...headers.map((h) => `  ${h}`)].join("\n")).join("\n") + "\n";

export default defineConfig({
  root: here,
  base: "/console/",
  publicDir: false,
  clearScreen: false,
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: join(here, "dist/console"),
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  plugins: [
    {
      name: "statehouse-console-headers",
      // Workers Static Assets reads `_headers` at the assets root (console/dist), above the page's folder.
      closeBundle() {
        writeFileSync(join(here, "dist/_headers"), headersFile);
      },
    },
  ],
});
