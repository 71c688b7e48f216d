#!/usr/bin/env bash
# Runs Statehouse locally on 127.0.0.1: Statehouse with the bank example write handler behind a
# Service Binding, and the bank example read side (balances in its own D1) registered by config.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8787}"
balances_port="${BALANCES_PORT:-8788}"
# STATEHOUSE_DEV_PERSIST_TO keeps local state in another folder than .wrangler/state (the load test
# starts each run on an empty one).
persist=()
[[ -n "${STATEHOUSE_DEV_PERSIST_TO:-}" ]] && persist=(--persist-to "$STATEHOUSE_DEV_PERSIST_TO")
npx wrangler d1 migrations apply DB --local -c wrangler.toml "${persist[@]}" >/dev/null

# Two wrangler dev processes need different inspector ports (both default to 9229).
npx wrangler dev -c examples/bank-balances/wrangler.toml --ip 127.0.0.1 --port "$balances_port" "${persist[@]}" \
  --inspector-port "${BALANCES_INSPECTOR_PORT:-9230}" --show-interactive-dev-session=false &
balances_pid=$!
trap 'kill "$balances_pid" 2>/dev/null || true' EXIT

# Auth is off unless the caller's own --var STATEHOUSE_AUTH:… (which wrangler takes over ours, as
# it comes later) says otherwise; as in the Worker's config, only an explicit "off" disables it.
auth="off"
for arg in "$@"; do
  case "$arg" in
    STATEHOUSE_AUTH:* | --var=STATEHOUSE_AUTH:*) auth="${arg#*STATEHOUSE_AUTH:}" ;;
  esac
done
if [ "$auth" = "off" ]; then
  auth_note="auth off for local dev"
else
  auth_note="auth on: send Authorization: Bearer <a token of STATEHOUSE_API_TOKENS>"
fi
echo "statehouse: http://127.0.0.1:${port} (${auth_note}; bank example as WRITE_HANDLER)"
echo "console: http://127.0.0.1:${port}/console/ (the operator console; README \"Console\")"
echo "bank read side: http://127.0.0.1:${balances_port}/balances (registered as read side bank-balances)"
echo "reconciler (the Cron Trigger's scheduled()): curl http://127.0.0.1:${port}/__scheduled"
npx wrangler dev -c wrangler.toml -c examples/bank/wrangler.toml --ip 127.0.0.1 --port "$port" "${persist[@]}" \
  --var STATEHOUSE_AUTH:off --var STATEHOUSE_ALLOW_LOCAL_HTTP:true \
  --var "STATEHOUSE_READ_SIDES:[{\"id\":\"bank-balances\",\"url\":\"http://127.0.0.1:${balances_port}\"}]" \
  --test-scheduled --show-interactive-dev-session=false "$@"
