#!/usr/bin/env bash
# The container engine for scripts/docker-test.sh (sourced): Debian's docker.io and debootstrap installed when
# missing, a dockerd started when none answers (and stopped again by the caller), and Docker Compose v2 as the docker
# CLI plugin. Every step checks first, so a second run only checks.
# Needs: $CACHE (the nym-ts cache), log(), as_root(). Sets DOCKER (the docker CLI to use) and ENGINE_STARTED.

COMPOSE_VERSION=v2.29.7
# `!reset` in the host-network override needs Compose 2.24 or later.
COMPOSE_MINIMUM=2.24.0

ENGINE_STARTED=""
ENGINE_DIR="$CACHE/docker"
ENGINE_PIDFILE="$ENGINE_DIR/dockerd.pid"

# engine_packages: apt-get install what is missing (docker.io brings dockerd, containerd, runc and a docker CLI).
engine_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || {
    log "ERROR: ${missing[*]} missing and no apt-get to install them; install them and run again"
    return 1
  }
  log "apt-get install ${missing[*]}"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}")
  as_root "${apt[@]}" >"$ENGINE_DIR/apt.log" 2>&1 || {
    as_root apt-get update >>"$ENGINE_DIR/apt.log" 2>&1 && as_root "${apt[@]}" >>"$ENGINE_DIR/apt.log" 2>&1
  } || {
    tail -n 20 "$ENGINE_DIR/apt.log" >&2
    return 1
  }
}

# The docker CLI: one that can build with BuildKit. Docker 23+ CLIs need the buildx plugin for that; Debian's 20.10
# CLI (/usr/bin/docker) has BuildKit built in (DOCKER_BUILDKIT=1).
engine_cli() {
  if docker buildx version >/dev/null 2>&1; then
    DOCKER=docker
  elif [ -x /usr/bin/docker ]; then
    DOCKER=/usr/bin/docker
  else
    DOCKER=docker
  fi
}

# engine_our_pid: prints the pid of the dockerd this script starts (its pidfile), if that process runs and is that
# dockerd (a pidfile left by a killed dockerd may name a pid reused by another process).
engine_our_pid() {
  local pid
  pid=$(cat "$ENGINE_PIDFILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--data-root $ENGINE_DIR/data" || return 1
  echo "$pid"
}

# engine_start: uses a running dockerd, else starts one (data under $CACHE/docker/data, so images and the build cache
# persist across clones; no bridge and no iptables rules: every test container uses host networking).
engine_start() {
  mkdir -p "$ENGINE_DIR"
  engine_packages
  engine_cli
  if "$DOCKER" info >/dev/null 2>&1; then
    # A dockerd left running by an interrupted run of this script is still ours to stop.
    if engine_our_pid >/dev/null; then ENGINE_STARTED=1; fi
    return 0
  fi
  log "starting dockerd (data in $ENGINE_DIR/data, log $ENGINE_DIR/dockerd.log)"
  as_root bash -c 'nohup "$0" "$@" >"'"$ENGINE_DIR"'/dockerd.log" 2>&1 </dev/null &' \
    "$(command -v dockerd || echo /usr/sbin/dockerd)" --data-root "$ENGINE_DIR/data" --pidfile "$ENGINE_PIDFILE" \
    --bridge none --iptables=false --ip-masq=false
  ENGINE_STARTED=1
  for _ in $(seq 1 60); do
    "$DOCKER" info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail -n 20 "$ENGINE_DIR/dockerd.log" >&2
  log "ERROR: dockerd did not answer within 30 s"
  return 1
}

# engine_stop: stops the dockerd engine_start started (and the containerd it runs), nothing else.
engine_stop() {
  [ -n "$ENGINE_STARTED" ] || return 0
  local pid
  pid=$(engine_our_pid) || return 0
  log "stopping dockerd (pid $pid)"
  as_root kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do
    [ -e "/proc/$pid" ] || break
    sleep 0.5
  done
  if [ -e "/proc/$pid" ]; then
    log "dockerd did not stop in 30 s; killing it"
    as_root kill -KILL "$pid" 2>/dev/null || true
  fi
  # The network namespace mount dockerd leaves behind.
  as_root umount /run/docker/netns/default 2>/dev/null || true
  ENGINE_STARTED=""
}

# version_at_least A B: A >= B for dotted versions.
version_at_least() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$2" ]; }

# engine_compose: Docker Compose v2 as the CLI plugin. Built from source with the machine's Go (2-5 minutes on two
# cores) into $CACHE/docker/compose-<version>, then linked into ~/.docker/cli-plugins; a second run only links. The
# build runs in the background (it is mostly downloads at first), so the caller goes on and calls
# engine_compose_wait before it needs Compose.
ENGINE_COMPOSE_PID=""
engine_compose() {
  local have
  have=$("$DOCKER" compose version --short 2>/dev/null || true)
  if [ -n "$have" ] && version_at_least "${have#v}" "$COMPOSE_MINIMUM"; then return 0; fi
  if [ -x "$ENGINE_DIR/compose-$COMPOSE_VERSION/docker-compose" ]; then
    engine_compose_link
    return 0
  fi
  command -v go >/dev/null 2>&1 || {
    log "ERROR: Docker Compose >= $COMPOSE_MINIMUM is missing and Go is needed to build it; install either"
    return 1
  }
  log "building Docker Compose $COMPOSE_VERSION with $(go env GOVERSION) in the background (once; log: $ENGINE_DIR/compose-build.log)"
  (
    set -e
    tmp=$(mktemp -d "$ENGINE_DIR/.compose.XXXXXX")
    GOBIN="$tmp" CGO_ENABLED=0 go install -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
      "github.com/docker/compose/v2/cmd@$COMPOSE_VERSION"
    mkdir -p "$ENGINE_DIR/compose-$COMPOSE_VERSION"
    mv "$tmp/cmd" "$ENGINE_DIR/compose-$COMPOSE_VERSION/docker-compose"
    rm -rf "$tmp"
  ) >"$ENGINE_DIR/compose-build.log" 2>&1 &
  ENGINE_COMPOSE_PID=$!
}

engine_compose_link() {
  local plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  mkdir -p "$plugins"
  ln -sfn "$ENGINE_DIR/compose-$COMPOSE_VERSION/docker-compose" "$plugins/docker-compose"
  "$DOCKER" compose version >/dev/null
}

engine_compose_wait() {
  [ -n "$ENGINE_COMPOSE_PID" ] || return 0
  local pid="$ENGINE_COMPOSE_PID"
  ENGINE_COMPOSE_PID=""
  if ! wait "$pid"; then
    tail -n 20 "$ENGINE_DIR/compose-build.log" >&2
    log "ERROR: building Docker Compose failed"
    return 1
  fi
  log "Docker Compose $COMPOSE_VERSION built"
  engine_compose_link
}
