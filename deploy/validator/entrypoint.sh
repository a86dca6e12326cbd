#!/usr/bin/env bash
# Runs the two processes of one validator and lives exactly as long as both do: the Nym ledger (ABCI server) first,
# then CometBFT pointed at it. SIGTERM/SIGINT stop CometBFT first (so it stops calling the app), then the app.
# Extra arguments go to `cometbft start` (e.g. --p2p.persistent_peers=...).
set -euo pipefail

: "${CMTHOME:=/data/cometbft}"
if [ ! -f "$CMTHOME/config/genesis.json" ]; then
  echo "nym-validator: no $CMTHOME/config/genesis.json; mount a CometBFT home (keys, genesis, config.toml)" >&2
  exit 2
fi

# The ledger's Node.js flags (VALIDATOR_NODE_FLAGS in @nym-ts/chain): young-generation GC on the main thread and a
# 32 MiB semi-space, measured faster on a host shared with CometBFT. NYM_VALIDATOR_NODE_FLAGS replaces them.
# shellcheck disable=SC2086 # the flags are meant to split into words
node ${NYM_VALIDATOR_NODE_FLAGS:---single-threaded-gc --max-semi-space-size=32} "${VALIDATOR_APP_BIN:-/app/dist/bin.js}" &
app=$!

# CometBFT retries the app every 3 s, but starting it once the app listens avoids a noisy first attempt.
for _ in $(seq 1 100); do
  if node -e "require('node:net').connect(${NYM_VALIDATOR_ABCI__PORT:-26658}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"; then break; fi
  kill -0 "$app" 2>/dev/null || { wait "$app"; exit $?; }
  sleep 0.1
done

cometbft start --home "$CMTHOME" \
  --proxy_app "tcp://127.0.0.1:${NYM_VALIDATOR_ABCI__PORT:-26658}" \
  --rpc.laddr "tcp://0.0.0.0:26657" --p2p.laddr "tcp://0.0.0.0:26656" "$@" &
comet=$!

stop() {
  kill -TERM "$comet" 2>/dev/null || true
  wait "$comet" 2>/dev/null || true
  kill -TERM "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
}
trap 'stop; exit 0' TERM INT

# Whichever exits first takes the other down, and the container exits with its status.
set +e
wait -n "$app" "$comet"
status=$?
stop
exit "$status"
