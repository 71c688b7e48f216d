#!/usr/bin/env bash
# Runs Statehouse locally on 127.0.0.1 with the bank example write handler behind a Service Binding:
# applies the D1 migrations to local storage, then starts both Workers in one wrangler dev.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8787}"
npx wrangler d1 migrations apply DB --local -c wrangler.toml >/dev/null
echo "statehouse: http://127.0.0.1:${port} (auth off for local dev; bank example as WRITE_HANDLER)"
exec npx wrangler dev -c wrangler.toml -c examples/bank/wrangler.toml \
  --ip 127.0.0.1 --port "$port" --var STATEHOUSE_AUTH:off --show-interactive-dev-session=false "$@"
