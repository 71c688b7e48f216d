#!/usr/bin/env bash
# Builds what the tests load: the test descriptor set and the helper Workers, as plain JavaScript.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test/.build
buf build test/fixtures/proto -o test/.build/test-types.binpb
buf generate test/fixtures/proto --template '{"version":"v2","plugins":[{"local":"protoc-gen-es","out":"test/.build/gen","opt":["target=ts","import_extension=js"]}]}'
common=(--bundle --format=esm --platform=neutral --target=es2022 --main-fields=module,main --conditions=workerd,worker,browser --loader:.binpb=binary --log-level=warning)
esbuild test/fixtures/test-handler/worker.ts "${common[@]}" --outfile=test/.build/test-handler.js
esbuild examples/bank/src/index.ts "${common[@]}" --outfile=test/.build/bank.js
esbuild examples/bank-balances/src/index.ts "${common[@]}" --outfile=test/.build/bank-balances.js
node scripts/build-test-statehouse.mjs
