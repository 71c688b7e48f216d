#!/usr/bin/env bash
# Runs Statehouse locally on 127.0.0.1: Statehouse with the bank example write handler behind a
# Service Binding, and the bank example read side (balances in its own D1) registered by config.
# If either wrangler exits, the other is stopped and this fails; on exit, on failure and on Ctrl-C
# every process either started (wrangler, workerd, the npm wrappers) is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

# wrangler's own start-up noise, which reads like errors: the anonymous-telemetry notice, error
# reports, the banner with its npm update check, and miniflare's fetch of the `Request.cf` object
# from workers.cloudflare.com (a stack trace per Worker when offline; the placeholder is fine
# locally). Each can be turned back on from the environment.
export WRANGLER_SEND_METRICS="${WRANGLER_SEND_METRICS:-false}"
export WRANGLER_SEND_ERROR_REPORTS="${WRANGLER_SEND_ERROR_REPORTS:-false}"
export WRANGLER_HIDE_BANNER="${WRANGLER_HIDE_BANNER:-true}"
export CLOUDFLARE_CF_FETCH_ENABLED="${CLOUDFLARE_CF_FETCH_ENABLED:-false}"

# The HTTP ports must be free. Each wrangler's inspector gets a free port the system picks (fixed
# ones, or wrangler's own probe from 9229, collided when two checkouts started together), unless
# INSPECTOR_PORT / BALANCES_INSPECTOR_PORT pin it (e.g. 9229, chrome://inspect's default target).
ports=$(node scripts/dev-ports.mjs "PORT=${PORT:-8787}" "BALANCES_PORT=${BALANCES_PORT:-8788}" \
  "INSPECTOR_PORT=${INSPECTOR_PORT:-0}" "BALANCES_INSPECTOR_PORT=${BALANCES_INSPECTOR_PORT:-0}")
read -r port balances_port inspector_port balances_inspector_port <<<"$ports"

# STATEHOUSE_DEV_PERSIST_TO keeps local state in another folder than .wrangler/state (the load test
# starts each run on an empty one).
# (Made absolute: the read side's wrangler runs in its own folder.)
persist=()
if [[ -n "${STATEHOUSE_DEV_PERSIST_TO:-}" ]]; then
  persist_to="$STATEHOUSE_DEV_PERSIST_TO"
  [[ "$persist_to" == /* ]] || persist_to="$PWD/$persist_to"
  persist=(--persist-to "$persist_to")
fi
npx wrangler d1 migrations apply DB --local -c wrangler.toml "${persist[@]}" >/dev/null

# Each wrangler runs in a process group of its own (job control on while it starts), so stopping
# it stops npm's wrapper, wrangler and workerd together: killing only the wrapper left the rest
# running, holding its port.
# (Plain arrays and a polling loop rather than `wait -n`: macOS still ships bash 3.2.)
pids=()
names=()
start() {
  names+=("$1")
  shift
  set -m
  "$@" </dev/null &
  set +m
  pids+=($!)
}
stop_all() {
  local pid
  for pid in ${pids[@]+"${pids[@]}"}; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in ${pids[@]+"${pids[@]}"}; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && return 0
    sleep 0.1
  done
  for pid in ${pids[@]+"${pids[@]}"}; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The read side's wrangler runs in its own folder: wrangler compares a Worker's bindings with the
# worker-configuration.d.ts of the folder it runs in, and Statehouse's says "types might be out of
# date" for any other Worker. (Its local state stays in examples/bank-balances/.wrangler/state,
# next to its wrangler.toml, as before.)
start "the bank read side's wrangler (examples/bank-balances, port ${balances_port})" \
  bash -c 'cd examples/bank-balances && exec "$@"' bash \
  npx wrangler dev -c wrangler.toml --ip 127.0.0.1 --port "$balances_port" "${persist[@]}" \
  --inspector-port "$balances_inspector_port" --show-interactive-dev-session=false

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
echo "inspectors (chrome://inspect): statehouse 127.0.0.1:${inspector_port}, bank read side 127.0.0.1:${balances_inspector_port}"
start "Statehouse's wrangler (port ${port})" \
  npx wrangler dev -c wrangler.toml -c examples/bank/wrangler.toml --ip 127.0.0.1 --port "$port" "${persist[@]}" \
  --inspector-port "$inspector_port" \
  --var STATEHOUSE_AUTH:off --var STATEHOUSE_ALLOW_LOCAL_HTTP:true \
  --var "STATEHOUSE_READ_SIDES:[{\"id\":\"bank-balances\",\"url\":\"http://127.0.0.1:${balances_port}\"}]" \
  --test-scheduled --show-interactive-dev-session=false "$@"

# Whichever part exits first ends the run: a half-started dev setup (Statehouse up, its read side
# refusing connections) is worse than none.
while true; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      status=0
      wait "${pids[$i]}" || status=$?
      echo "dev: ${names[$i]} exited (status ${status}); stopping the rest" >&2
      exit $((status == 0 ? 1 : status))
    fi
  done
  sleep 0.5
done
