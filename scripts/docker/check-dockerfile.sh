#!/usr/bin/env bash
# Checks what keeps the images' builds cheap and consistent, before anything is built:
#  - every deploy/<image>/Dockerfile with shared build stages has the same instructions up to the
#    "# ---- end of the shared build stages" marker (comments aside), so BuildKit builds those stages once for all
#    the images instead of once per image;
#  - the pinned versions match the repository's: pnpm (package.json's packageManager) and CometBFT
#    (scripts/bootstrap.sh);
#  - every image docker-compose.yml names has a Dockerfile.
# Usage: scripts/docker/check-dockerfiles.sh   (exit 1 with the differences when a check fails)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
MARKER="# ---- end of the shared build stages"
status=0

# The shared stages' instructions: lines before the marker, comments and blank lines dropped.
shared_of() { awk -v m="$MARKER" 'index($0, m) == 1 { exit } !/^[[:space:]]*(#|$)/' "$1"; }

reference=""
for file in deploy/*/Dockerfile; do
  grep -q "^$MARKER" "$file" || continue
  if [ -z "$reference" ]; then
    reference="$file"
    continue
  fi
  if ! diff -u <(shared_of "$reference") <(shared_of "$file") >/dev/null; then
    echo "check-dockerfiles: the shared build stages of $file differ from $reference's:" >&2
    diff -u <(shared_of "$reference") <(shared_of "$file") >&2 || true
    status=1
  fi
done
[ -n "$reference" ] || { echo "check-dockerfiles: no Dockerfile with shared build stages" >&2; exit 1; }

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
for file in deploy/*/Dockerfile; do
  pinned=$(sed -n 's/^ARG PNPM_VERSION=//p' "$file")
  if [ -n "$pinned" ] && [ "$pinned" != "$pnpm_version" ]; then
    echo "check-dockerfiles: $file pins pnpm $pinned, package.json says $pnpm_version (update PNPM_INTEGRITY too)" >&2
    status=1
  fi
done

cometbft_version=$(awk '$1 == "go" && $2 == "github.com/cometbft/cometbft/cmd/cometbft" { print $3 }' scripts/bootstrap.sh)
pinned=$(sed -n 's/^ARG COMETBFT_VERSION=//p' deploy/validator/Dockerfile)
if [ "$pinned" != "$cometbft_version" ]; then
  echo "check-dockerfiles: deploy/validator/Dockerfile pins CometBFT $pinned, scripts/bootstrap.sh $cometbft_version" >&2
  status=1
fi

if [ -f docker-compose.yml ]; then
  for dockerfile in $(sed -n 's/^ *dockerfile: *//p' docker-compose.yml | sort -u); do
    [ -f "$dockerfile" ] || { echo "check-dockerfiles: docker-compose.yml builds $dockerfile, which is missing" >&2; status=1; }
  done
fi
exit "$status"
