#!/usr/bin/env bash
# Runs schemathesis (the property-based API tester, from PyPI, version pinned below) with the arguments given, from a
# virtualenv cached in ${NYM_TS_CACHE:-~/.cache/nym-ts}/schemathesis-<version>: the first run creates it (about a
# minute), later runs start at once. scripts/schemathesis_hooks.py is loaded (SCHEMATHESIS_HOOKS): it gives schema-valid
# requests keys that are valid curve points (see there). Used by packages/directory/test/e2e/openapi-contract.test.ts.
#
#   scripts/schemathesis.sh run http://127.0.0.1:8080/docs/json --url http://127.0.0.1:8080 -n 20
set -euo pipefail
VERSION=4.32.5
CACHE="${NYM_TS_CACHE:-$HOME/.cache/nym-ts}"
VENV="$CACHE/schemathesis-$VERSION"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# A venv's scripts name their interpreter by absolute path, so it is built where it stays; `.complete` marks one whose
# install finished (a half-built venv is removed and built again).
if [ ! -f "$VENV/.complete" ]; then
  mkdir -p "$CACHE"
  exec 9>"$VENV.lock" # one installer at a time: test files may run side by side
  flock 9
  if [ ! -f "$VENV/.complete" ]; then
    echo "schemathesis: creating $VENV (pip install schemathesis==$VERSION)" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION" >&2
    touch "$VENV/.complete"
  fi
  exec 9>&-
fi

export SCHEMATHESIS_HOOKS="${SCHEMATHESIS_HOOKS:-schemathesis_hooks}"
export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}"
exec "$VENV/bin/st" "$@"
