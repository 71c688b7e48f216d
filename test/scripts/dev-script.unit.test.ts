// scripts/dev.sh's start banner, run with a stand-in npx that records what it would start.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

/** Runs dev.sh with `args`; npx only appends its arguments to a file. Returns stdout and what npx got. */
function runDev(args: string[]): { stdout: string; npx: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "dev-sh-"));
  const calls = path.join(dir, "calls");
  writeFileSync(path.join(dir, "npx"), `#!/usr/bin/env bash\necho "$@" >> "${calls}"\n`);
  chmodSync(path.join(dir, "npx"), 0o755);
  const res = spawnSync("bash", [path.join(root, "scripts/dev.sh"), ...args], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    encoding: "utf8",
  });
  expect(res.status).toBe(0);
  return { stdout: res.stdout, npx: readFileSync(calls, "utf8") };
}

describe("scripts/dev.sh", () => {
  it("says auth is off when started as it is", () => {
    const { stdout, npx } = runDev([]);
    expect(stdout).toMatch(/auth off/);
    expect(npx).toContain("STATEHOUSE_AUTH:off");
  });

  it("says auth is on when started with --var STATEHOUSE_AUTH:on", () => {
    const { stdout, npx } = runDev(["--var", "STATEHOUSE_AUTH:on"]);
    expect(stdout).not.toMatch(/auth off/);
    expect(stdout).toMatch(/auth on/);
    expect(npx).toContain("STATEHOUSE_AUTH:on");
  });
});
