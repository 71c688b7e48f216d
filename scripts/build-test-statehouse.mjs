// Bundles Statehouse (src/index.ts) as one module for tests that run it as a second Worker beside
// the one vitest loads from source: the same code in another configuration (test/handlers'
// protocol tests run it with each WRITE_HANDLER_PROTOCOL). The user's descriptor set is the test
// types, as vitest.config.ts's alias makes it for the Worker under test.
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
await build({
  entryPoints: [path.join(root, "src/index.ts")],
  outfile: path.join(root, "test/.build/statehouse.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "browser"],
  loader: { ".binpb": "binary" },
  external: ["cloudflare:*", "node:*"],
  logLevel: "warning",
  plugins: [
    {
      name: "test-descriptors",
      setup(b) {
        b.onResolve({ filter: /descriptors\/user\.binpb$/ }, () => ({ path: path.join(root, "test/.build/test-types.binpb") }));
      },
    },
  ],
});
