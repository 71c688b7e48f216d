// The architecture as import rules: `npm run deps` fails when src/ breaks a layer, a cycle or an index.
import { existsSync, readdirSync } from "node:fs";

/**
 * The layers of src/, highest first. A module may import its own layer or any layer below it,
 * never one above. Entries are folders (`front` is src/front/, `eskit/store` is src/eskit/store/)
 * or top-level files (`errors` is src/errors.ts); a nested folder belongs to its own layer, not
 * its parent's. src/index.ts wires everything together and sits above them all.
 */
const LAYERS = [
  { name: "edge", parts: ["front", "rpc"] },
  { name: "domain", parts: ["input", "entity", "readside", "streams", "eskit"] },
  { name: "services", parts: ["handlers", "entity/journal", "partition", "control", "eventlog", "eskit/store", "metrics", "payload", "config"] },
  { name: "base", parts: ["errors", "log", "trace", "gen"] },
];

/** A regex that matches every module of the given folders or top-level files of src/. */
const pathOf = (parts) => `^src/(${parts.join("|")})(/|\\.ts$)`;

const layerRules = LAYERS.flatMap((layer, i) =>
  i === 0
    ? []
    : [
        {
          name: `${layer.name}-not-above`,
          comment: `${layer.parts.join(", ")} may not import a higher layer (${LAYERS.slice(0, i)
            .map((l) => l.name)
            .join(", ")}).`,
          severity: "error",
          from: { path: pathOf(layer.parts) },
          // A folder nested in a higher layer's folder (eskit/store in eskit) is this layer or lower, not higher.
          to: { path: pathOf(LAYERS.slice(0, i).flatMap((l) => l.parts)), pathNot: pathOf(LAYERS.slice(i).flatMap((l) => l.parts)) },
        },
      ],
);

/** Folders of src/ that name their public surface in an index.ts. */
const INDEXED = readdirSync("src", { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`src/${d.name}/index.ts`))
  .map((d) => d.name);

/**
 * The Durable Object classes: only src/index.ts imports them as values (and exports them), so
 * importing a folder never loads `cloudflare:workers`; elsewhere their types type the stubs.
 */
const DO_CLASSES = "^src/(entity/entity-object|partition/partition-object|streams/subscription-object|streams/log-hub)\\.ts$";

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    ...layerRules,
    {
      name: "no-folder-cycles",
      comment: "Two folders of src/ may not import each other, directly or through others.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-module-cycles",
      comment: "No import cycles between modules either, inside a folder or across folders.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "through-the-index",
      comment: "Another folder is reached through its index.ts, the list of what it exports.",
      severity: "error",
      from: { path: "^src/([^/]+)/" },
      to: {
        path: `^src/(${INDEXED.join("|")})/`,
        pathNot: ["^src/$1/", "/index\\.ts$"],
      },
    },
    {
      name: "index-from-outside-too",
      comment: "Top-level files of src/ (errors.ts, log.ts, index.ts) also go through an index.ts; src/index.ts alone takes the Durable Object classes from their files.",
      severity: "error",
      from: { path: "^src/[^/]+\\.ts$" },
      to: { path: `^src/(${INDEXED.join("|")})/`, pathNot: ["/index\\.ts$", DO_CLASSES] },
    },
    {
      name: "journal-inside-entity",
      comment: "entity/journal/ is the entity's own: other folders see its rows through entity/'s index.",
      severity: "error",
      from: { pathNot: "^src/entity/" },
      to: { path: "^src/entity/journal/" },
    },
    {
      name: "do-classes-from-the-root",
      comment: "A Durable Object class is imported as a value by src/index.ts only (a type import is fine): importing a folder must not load cloudflare:workers.",
      severity: "error",
      from: { pathNot: "^src/index\\.ts$" },
      to: { path: DO_CLASSES, dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
