#!/usr/bin/env bash
# Builds the bench: its Workers (Statehouse from src/ plus the bench-only ones) and the Node runner.
set -euo pipefail
cd "$(dirname "$0")"
out=.build
mkdir -p "$out"
esb=../node_modules/.bin/esbuild
worker=(--bundle --format=esm --platform=neutral --target=es2022 --main-fields=module,main --conditions=workerd,worker,browser --loader:.binpb=binary --external:cloudflare:* --external:node:* --log-level=warning)
"$esb" workers/statehouse-entry.ts "${worker[@]}" --outfile=$out/statehouse.mjs
"$esb" workers/ladder.ts "${worker[@]}" --outfile=$out/ladder.mjs
"$esb" workers/echo-handler.ts "${worker[@]}" --outfile=$out/echo-handler.mjs
"$esb" src/main.ts --bundle --format=esm --platform=node --target=node22 --packages=external --log-level=warning --outfile=$out/main.mjs
"$esb" workers/read-side.ts "${worker[@]}" --outfile=$out/read-side.mjs
