#!/usr/bin/env bash
# Runs the two processes of one validator and lives exactly as long as both do: the Nym ledger (ABCI server) first,
# then CometBFT pointed at it. SIGTERM/SIGINT stop CometBFT first (so it stops calling the app), then the app.
# Arguments go to `cometbft start` after the defaults below, so `--rpc.laddr=...` or `--p2p.laddr=...` given to the
# container win over them (docker-compose.yml passes each validator's ports that way).
set -euo pipefail

: "${CMTHOME:=/data/cometbft}"
config="$CMTHOME/config/config.toml"
if [ ! -f "$CMTHOME/config/genesis.json" ]; then
  echo "nym-validator: no $CMTHOME/config/genesis.json; mount a CometBFT home (keys, genesis, config.toml)" >&2
  exit 2
fi

# CometBFT creates <home>/data at start, which a read-only home (docker-compose.yml mounts the node's directory
# read-only) cannot take: run from a home in the writable volume whose config/ is a link to the mounted one.
if [ ! -d "$CMTHOME/data" ] && [ ! -w "$CMTHOME" ] && [ "$CMTHOME" != /data/cometbft ]; then
  mkdir -p /data/cometbft/data
  ln -sfn "$CMTHOME/config" /data/cometbft/config
  CMTHOME=/data/cometbft
  config="$CMTHOME/config/config.toml"
fi

# CometBFT refuses to start with a validator key and no signing state. The home may be read-only (the localnet's
# docker config keeps its state in the /data/cometbft volume): create the state file config.toml names, once, when
# the volume is new. Only ever for a new volume: an old state lost and recreated could sign twice at one height.
state=$(sed -n 's/^priv_validator_state_file *= *"\(.*\)"/\1/p' "$config" 2>/dev/null | head -n 1)
state=${state:-data/priv_validator_state.json}
case "$state" in /*) ;; *) state="$CMTHOME/$state" ;; esac
if [ ! -e "$state" ]; then
  mkdir -p "$(dirname "$state")"
  (umask 077 && printf '{\n  "height": "0",\n  "round": 0,\n  "step": 0\n}\n' >"$state")
fi

abci_port="${NYM_VALIDATOR_ABCI__PORT:-26658}"

# The ledger's Node.js flags (VALIDATOR_NODE_FLAGS in @nym-ts/chain): young-generation GC on the main thread and a
# 32 MiB semi-space, measured faster on a host shared with CometBFT. NYM_VALIDATOR_NODE_FLAGS replaces them.
# cometbft.home: the ledger checks at start that CometBFT's stored chain is the home's genesis.json
# (CHAIN_ERROR_GENESIS_MISMATCH otherwise, naming the reset; docs/validator.md, "A wrong genesis").
# shellcheck disable=SC2086 # the flags are meant to split into words
NYM_VALIDATOR_COMETBFT__HOME="${NYM_VALIDATOR_COMETBFT__HOME:-$CMTHOME}" \
  node ${NYM_VALIDATOR_NODE_FLAGS:---single-threaded-gc --max-semi-space-size=32} "${VALIDATOR_APP_BIN:-/app/dist/bin.js}" &
app=$!

# CometBFT retries the app every 3 s, but starting it once the app listens avoids a noisy first attempt.
for _ in $(seq 1 100); do
  if node -e "require('node:net').connect(${abci_port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"; then break; fi
  kill -0 "$app" 2>/dev/null || { wait "$app"; exit $?; }
  sleep 0.1
done

cometbft start --home "$CMTHOME" --proxy_app "tcp://127.0.0.1:${abci_port}" \
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
