# The nym-ts images: one multi-stage Dockerfile, one target per image. From the repository root (BuildKit: the
# default from Docker 23; with Docker 20.10 set DOCKER_BUILDKIT=1, the RUN steps use cache mounts):
#   docker build --target <image> --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/<image> .
# Targets: validator, ethereum-watcher, issuer, verifier, service-provider, directory, mixnode, gateway (the daemons),
# client (nymclient), localnet (nym-localnet, for docker-compose.yml's token deployment) and anvil. Each target's
# section below says how to run it; docs/docker.md describes them all.
#
# Layout: the build stages (addons, manifests, workspace, deploy, cometbft, anvil-fetch), each built once for every
# image; the runtime stages every image starts from (runtime, daemon); then one stage per image, with only what is
# its own (settings, ports, health check, volume). BuildKit builds only the stages a target needs.

# Base images are build arguments defaulting to the public images; `make test-docker` passes local stand-ins.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG NODE_BUILD_IMAGE=node:24-bookworm-slim
ARG RUST_IMAGE=rust:1-bookworm
ARG GO_IMAGE=golang:1.24-bookworm

# ==== build stages ====

# The Rust N-API addons (packages/coconut/native: blst, so Coconut runs on blst in the containers too;
# packages/chain/native: libsecp256k1 and keccak256 for the ledger; packages/sphinx/native: Sphinx's per-hop HKDFs),
# as scripts/bootstrap.sh builds them.
FROM ${RUST_IMAGE} AS addons
WORKDIR /src
COPY packages/coconut/native packages/coconut/native
COPY packages/chain/native packages/chain/native
COPY packages/sphinx/native packages/sphinx/native
RUN --mount=type=cache,id=nym-ts-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=nym-ts-cargo-target,target=/cargo-target,sharing=locked \
    mkdir -p /addons \
 && for crate in coconut chain sphinx; do \
      CARGO_TARGET_DIR=/cargo-target cargo build --release --locked --manifest-path "packages/$crate/native/Cargo.toml" \
      && cp "/cargo-target/release/libnym_${crate}_native.so" "/addons/nym_${crate}_native.node" || exit 1; \
    done

# The workspace's manifests alone, so the dependency install below is redone only when one of them changes.
FROM ${NODE_BUILD_IMAGE} AS manifests
WORKDIR /src
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages packages
# Each package's bin/ launchers stay: pnpm links the bins at install time (without them it warns "Failed to create bin").
RUN find packages -mindepth 2 -maxdepth 2 ! -name package.json ! -name bin -exec rm -rf {} +

# Every package compiled once (tsc -b). pnpm comes from its npm tarball, checked against its published integrity
# (corepack's signature check fails behind some registries and TLS proxies); its version is package.json's
# (scripts/docker/check-dockerfile.sh checks that).
FROM ${NODE_BUILD_IMAGE} AS workspace
ARG NPM_REGISTRY=https://registry.npmjs.org
ARG PNPM_VERSION=10.34.8
ARG PNPM_INTEGRITY=sha512-9ieo6XE0Ov5J39D2PQKCNCAd+oMdXLWIcz4eX42ya/FpiaMhYatcG02zsf28NzFgYGtbieAC323RmoWt+R/FqA==
ENV NPM_REGISTRY=$NPM_REGISTRY \
    npm_config_registry=$NPM_REGISTRY \
    npm_config_store_dir=/pnpm-store \
    CI=true
COPY deploy/docker/npm-fetch.mjs /opt/nym-ts/npm-fetch.mjs
RUN node /opt/nym-ts/npm-fetch.mjs pnpm "$PNPM_VERSION" "$PNPM_INTEGRITY" /opt/pnpm \
 && printf '#!/bin/sh\nexec node /opt/pnpm/bin/pnpm.cjs "$@"\n' >/usr/local/bin/pnpm \
 && chmod 0755 /usr/local/bin/pnpm \
 && pnpm --version
WORKDIR /src
COPY --from=manifests /src ./
RUN --mount=type=cache,id=nym-ts-pnpm-store,target=/pnpm-store \
    pnpm install --frozen-lockfile --ignore-scripts --reporter=append-only
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
RUN pnpm exec tsc -b tsconfig.json
# Packages with more to build than tsc (the explorer's page, bundled by Vite into dist/web for the directory).
RUN pnpm -r --if-present run build
COPY --from=addons /addons /addons
COPY deploy/docker /opt/nym-ts

# Each image's package with its production dependencies only (pnpm deploy --prod) in /out/<image>, the addons put in
# place and loaded once (deploy/docker/place-addons.mjs: the build fails unless Coconut's fastest backend is blst).
# One step for every image, so that they all come from the same deploy (each image then copies its own directory);
# --prefer-offline with pnpm's metadata cache saves most of the dependency resolutions' requests after the first.
FROM workspace AS deploy
RUN --mount=type=cache,id=nym-ts-pnpm-store,target=/pnpm-store \
    --mount=type=cache,id=nym-ts-pnpm-metadata,target=/root/.cache/pnpm \
    for image in validator:chain ethereum-watcher issuer verifier service-provider directory mixnode gateway client \
      localnet; do \
      package="${image#*:}" && image="${image%%:*}" \
      && pnpm --filter "@nym-ts/$package" deploy --legacy --prod --prefer-offline "/out/$image" \
      && node /opt/nym-ts/place-addons.mjs /addons "/out/$image" || exit 1; \
    done

# CometBFT has no npm or Debian package: the pinned release built from source, as scripts/bootstrap.sh does.
FROM ${GO_IMAGE} AS cometbft
ARG COMETBFT_VERSION=v0.38.25
RUN --mount=type=cache,id=nym-ts-go-mod,target=/go/pkg/mod \
    --mount=type=cache,id=nym-ts-go-build,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOBIN=/out go install -trimpath -ldflags "-s -w" \
      "github.com/cometbft/cometbft/cmd/cometbft@${COMETBFT_VERSION}" \
 && /out/cometbft version

# anvil (Foundry's local Ethereum node): the npm registry's @foundry-rs/anvil-linux-<arch> package, as
# scripts/bootstrap.sh fetches it, checked against its published integrity.
FROM ${NODE_BUILD_IMAGE} AS anvil-fetch
# Set by BuildKit to the platform being built (amd64 or arm64).
ARG TARGETARCH
ARG NPM_REGISTRY=https://registry.npmjs.org
ARG ANVIL_VERSION=1.7.1
ARG ANVIL_INTEGRITY_AMD64=sha512-+XmShybEaxfCrr0OUUZwYEy2OnYZt5pHH9TzBtLv3+VrK0O/ANuNSVEahqNhKHlgX7GRJ59383ofNhxkRWIYTg==
ARG ANVIL_INTEGRITY_ARM64=sha512-ykHJmFOGdBR8+9smOKBm9ZZDCCCkLQctiHOAddLvmYx9mPeBDMfq6jP51hKYsO5MG8ClPLSlWe+JpiXPjoXgBQ==
COPY deploy/docker/npm-fetch.mjs /opt/nym-ts/npm-fetch.mjs
RUN arch="${TARGETARCH:-amd64}" \
 && case "$arch" in \
      amd64) integrity="$ANVIL_INTEGRITY_AMD64" ;; \
      arm64) integrity="$ANVIL_INTEGRITY_ARM64" ;; \
      *) echo "anvil: no @foundry-rs/anvil-linux-$arch package" >&2; exit 1 ;; \
    esac \
 && NPM_REGISTRY="$NPM_REGISTRY" node /opt/nym-ts/npm-fetch.mjs "@foundry-rs/anvil-linux-$arch" "$ANVIL_VERSION" \
      "$integrity" /opt/anvil \
 && chmod 0755 /opt/anvil/bin/anvil \
 && /opt/anvil/bin/anvil --version

# ==== runtime stages ====

# What every image has: the runtime base image (no build tools, no CA bundle of a build machine), files owned by root,
# the unprivileged `node` user (uid 1000), `node dist/bin.js` of the image's package in /app as the entrypoint, and
# the health check script (deploy/docker/healthcheck.mjs: node's fetch, as the slim images have no curl).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
COPY --chown=root:root deploy/docker/healthcheck.mjs /opt/nym-ts/healthcheck.mjs
# The volumes' mount points (/data, the validator's /data/app and /data/cometbft, the client's /client) are writable
# by any uid: docker-compose.yml runs the containers as the owner of the mounted 0600 key files (user:
# NYM_UID:NYM_GID), which need not be uid 1000.
RUN mkdir -m 1777 /data /data/app /data/cometbft /client
USER node
WORKDIR /app
ENTRYPOINT ["node", "dist/bin.js"]
CMD ["--help"]
# Last, so that a new commit reuses every build stage: the version string (nym-issuer --version, ...) carries the
# commit. (A new commit rebuilds only the images' own few layers, the copy of their deployed package.)
ARG COMMIT=unknown
ENV NYM_BUILD_COMMIT=$COMMIT

# A daemon: its state in the /data volume, `run` by default (`init` and the other commands as the command).
FROM runtime AS daemon
VOLUME /data
CMD ["run"]

# ==== the images ====

# ---- validator: nym-validator, one Nym validator = CometBFT v0.38.25 (consensus, p2p, RPC) + the Nym ledger ABCI
# app, in one image.
#   docker build --target validator --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/validator .
# Run with a CometBFT home (keys, genesis with the ledger's app_state, config.toml) as CMTHOME, by default the volume
# /data/cometbft (docker-compose.yml instead mounts the localnet's node directory read-only and sets CMTHOME):
#   docker run -p 26656:26656 -p 26657:26657 -v $PWD/node0:/data/cometbft -v nym-app0:/data/app nym-ts/validator
# The app listens on 127.0.0.1 inside the container only; CometBFT's P2P and RPC on 0.0.0.0
# (deploy/validator/entrypoint.sh, which runs both and passes its arguments to `cometbft start`).
FROM runtime AS validator
ENV NYM_VALIDATOR_ABCI__HOST=127.0.0.1 \
    NYM_VALIDATOR_ABCI__PORT=26658 \
    NYM_VALIDATOR_DATA__DIR=/data/app \
    CMTHOME=/data/cometbft
COPY --from=cometbft --chown=root:root /out/cometbft /usr/local/bin/cometbft
COPY --from=deploy --chown=root:root /out/validator /app
COPY --chown=root:root deploy/validator/entrypoint.sh /usr/local/bin/nym-validator-entrypoint
VOLUME ["/data/app", "/data/cometbft"]
EXPOSE 26656 26657
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["node", "/opt/nym-ts/healthcheck.mjs", "http://127.0.0.1:26657/health"]
# Run by bash, so the script's file mode in the build context does not matter; no default arguments.
ENTRYPOINT ["bash", "/usr/local/bin/nym-validator-entrypoint"]
CMD []

# ---- ethereum-watcher: nym-ethereum-watcher, credits NYM paid into the pipe account on Ethereum to Nym accounts on
# the chain.
#   docker build --target ethereum-watcher --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/ethereum-watcher .
# Run (config and the 0600 key file mounted read-only, state in a volume):
#   docker run -p 9464:9464 -v nym-watcher:/data -v $PWD/watcher.toml:/etc/nym/watcher.toml:ro \
#     -v $PWD/watcher.key:/etc/nym/watcher.key:ro nym-ts/ethereum-watcher run --config /etc/nym/watcher.toml
FROM daemon AS ethereum-watcher
ENV NYM_ETHEREUM_WATCHER_HTTP__HOST=0.0.0.0 \
    NYM_ETHEREUM_WATCHER_HTTP__PORT=9464 \
    NYM_ETHEREUM_WATCHER_DATA_DIR=/data
COPY --from=deploy --chown=root:root /out/ethereum-watcher /app
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node /opt/nym-ts/healthcheck.mjs "http://127.0.0.1:${NYM_ETHEREUM_WATCHER_HTTP__PORT:-9464}/health"

# ---- issuer: nym-issuer, a Coconut issuing authority (blind-signs the chain's credential requests, serves partial
# credentials), with Coconut on blst (on mcl-wasm, the fallback, an issuer would sign about 2x slower).
#   docker build --target issuer --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/issuer .
# Keys (once, into the data volume; the Coconut share comes from the dealer, `nym-issuer deal`, copied in 0600):
#   docker run --rm -v nym-issuer:/data nym-ts/issuer init
# Run (config mounted read-only, keys and state in the volume):
#   docker run -p 8010:8010 -v nym-issuer:/data -v $PWD/issuer.toml:/etc/nym/issuer.toml:ro nym-ts/issuer \
#     run --config /etc/nym/issuer.toml
FROM daemon AS issuer
ENV NYM_ISSUER_HTTP__HOST=0.0.0.0 \
    NYM_ISSUER_HTTP__PORT=8010 \
    NYM_ISSUER_DATA_DIR=/data
COPY --from=deploy --chown=root:root /out/issuer /app
EXPOSE 8010
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node /opt/nym-ts/healthcheck.mjs "http://127.0.0.1:${NYM_ISSUER_HTTP__PORT:-8010}/health"

# ---- verifier: nym-verifier, checks the credentials service providers deposit on the chain and votes on them, with
# Coconut on blst (on mcl-wasm, the fallback, VerifyCred would be about 4x slower; docs/verifier.md).
#   docker build --target verifier --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/verifier .
# Keys (once, into the data volume; list the printed address among the genesis verifiers):
#   docker run --rm -v nym-verifier0:/data nym-ts/verifier init
# Run (its node directory from `nym-localnet build`, or files from `nym-verifier init`, mounted read-only at /config):
#   docker run -p 8020:8020 -v $PWD/build/localnet/verifiers/verifier0:/config:ro -v nym-verifier0:/data \
#     -e NYM_VERIFIER_CHAIN__RPC_URL=http://validator:26657 nym-ts/verifier run --config /config/config.toml
FROM daemon AS verifier
ENV NYM_VERIFIER_HTTP__HOST=0.0.0.0 \
    NYM_VERIFIER_HTTP__PORT=8020 \
    NYM_VERIFIER_DATA_DIR=/data
COPY --from=deploy --chown=root:root /out/verifier /app
EXPOSE 8020
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node /opt/nym-ts/healthcheck.mjs "http://127.0.0.1:${NYM_VERIFIER_HTTP__PORT:-8020}/health"

# ---- service-provider: nym-service-provider, accepts Coconut credential spends (HTTP and over the mixnet), deposits
# them on the chain and waits for the verifiers' decision, with Coconut on blst.
#   docker build --target service-provider --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/service-provider .
# First run writes the keys (0600) into the volume and prints the chain address spends are bound to:
#   docker run --rm -v nym-sp0:/data nym-ts/service-provider init --dataDir /data
# Then:
#   docker run -p 8090:8090 -v nym-sp0:/data -e NYM_SERVICE_PROVIDER_CHAIN__RPC_URL=http://validator:26657 \
#     -e NYM_SERVICE_PROVIDER_DIRECTORY__URL=http://directory:8080 nym-ts/service-provider
FROM daemon AS service-provider
ENV NYM_SERVICE_PROVIDER_HTTP__HOST=0.0.0.0 \
    NYM_SERVICE_PROVIDER_HTTP__PORT=8090 \
    NYM_SERVICE_PROVIDER_DATA_DIR=/data
COPY --from=deploy --chown=root:root /out/service-provider /app
EXPOSE 8090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node /opt/nym-ts/healthcheck.mjs "http://127.0.0.1:${NYM_SERVICE_PROVIDER_HTTP__PORT:-8090}/health"

# ---- directory: nym-directory, presence, metrics and topology over REST with Swagger, and the explorer's page.
#   docker build --target directory --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/directory .
# Run:  docker run -p 8080:8080 -v nym-directory:/data nym-ts/directory
FROM daemon AS directory
ENV NYM_DIRECTORY_HTTP__HOST=0.0.0.0 \
    NYM_DIRECTORY_HTTP__PORT=8080 \
    NYM_DIRECTORY_STORAGE__PATH=/data/directory.sqlite
COPY --from=deploy --chown=root:root /out/directory /app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD node /opt/nym-ts/healthcheck.mjs "http://127.0.0.1:${NYM_DIRECTORY_HTTP__PORT:-8080}/health"

# ---- mixnode: nym-mixnode, a Loopix mix node (Sphinx processing, replay cache, exponential delays, loop cover,
# signed metrics).
#   docker build --target mixnode --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/mixnode .
# First run writes the node's keys (0600) into the volume and prints the public keys:
#   docker run --rm -v nym-mix1:/data nym-ts/mixnode init --storage.dataDir /data
# Then:
#   docker run -p 1789:1789 -v nym-mix1:/data -e NYM_MIXNODE_MIXNODE__LAYER=1 \
#     -e NYM_MIXNODE_MIXNODE__ANNOUNCE_HOST=mix1.example.org -e NYM_MIXNODE_DIRECTORY__URL=http://directory:8080 \
#     nym-ts/mixnode
# A 4 MiB young generation (here and in the gateway) frees Sphinx's per-packet native key objects sooner: peak RSS
# ~175 instead of ~275 MiB at full load in the benchmark (packages/mixnode/bench).
FROM daemon AS mixnode
ENV NODE_OPTIONS=--max-semi-space-size=4 \
    NYM_MIXNODE_MIXNODE__LISTEN_HOST=0.0.0.0 \
    NYM_MIXNODE_MIXNODE__PORT=1789 \
    NYM_MIXNODE_STORAGE__DATA_DIR=/data \
    NYM_MIXNODE_HTTP__HOST=0.0.0.0 \
    NYM_MIXNODE_HTTP__PORT=8000
COPY --from=deploy --chown=root:root /out/mixnode /app
EXPOSE 1789 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD node /opt/nym-ts/healthcheck.mjs "http://127.0.0.1:${NYM_MIXNODE_HTTP__PORT:-8000}/health"

# ---- gateway: nym-gateway, a Loopix provider (client authentication, first hop, SQLite mailboxes delivered by push
# or pull).
#   docker build --target gateway --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/gateway .
# First run writes the node's keys (0600) into the volume and prints the public keys:
#   docker run --rm -v nym-gw1:/data nym-ts/gateway init --storage.dataDir /data
# Then:
#   docker run -p 1790:1790 -v nym-gw1:/data \
#     -e NYM_GATEWAY_GATEWAY__ANNOUNCE_HOST=gw1.example.org -e NYM_GATEWAY_DIRECTORY__URL=http://directory:8080 \
#     nym-ts/gateway
FROM daemon AS gateway
ENV NODE_OPTIONS=--max-semi-space-size=4 \
    NYM_GATEWAY_GATEWAY__LISTEN_HOST=0.0.0.0 \
    NYM_GATEWAY_GATEWAY__PORT=1790 \
    NYM_GATEWAY_STORAGE__DATA_DIR=/data \
    NYM_GATEWAY_HTTP__HOST=0.0.0.0 \
    NYM_GATEWAY_HTTP__PORT=8001
COPY --from=deploy --chown=root:root /out/gateway /app
EXPOSE 1790 8001
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s \
  CMD node /opt/nym-ts/healthcheck.mjs "http://127.0.0.1:${NYM_GATEWAY_HTTP__PORT:-8001}/health"

# ---- client: nymclient, the Nym client (mixnet messages, NYM payments, Coconut credentials), with Coconut on blst.
# A command-line tool, so no health check.
#   docker build --target client --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/client .
# Run (the client's directory, with client.json and its keys, in /client):
#   docker run --rm -v nym-client:/client nym-ts/client init --dir /client --directoryUrl http://directory:8080 ...
#   docker run --rm -v nym-client:/client nym-ts/client demo --dir /client
FROM runtime AS client
COPY --from=deploy --chown=root:root /out/client /app
VOLUME /client

# ---- localnet: nym-localnet in a container: docker-compose.yml's `token-deploy` job runs `nym-localnet fund` with it
# (deploys the NYM token on anvil and funds the localnet's accounts). A command-line tool, so no health check.
#   docker build --target localnet --build-arg COMMIT=$(git rev-parse --short HEAD) -t nym-ts/localnet .
FROM runtime AS localnet
COPY --from=deploy --chown=root:root /out/localnet /app

# ---- anvil: Foundry's local Ethereum node for the localnet, the chain the NYM token is deployed on and paid into the
# pipe account from (node is there for the health check; anvil itself needs only glibc).
#   docker build --target anvil -t nym-ts/anvil .
# Run:  docker run -p 8545:8545 nym-ts/anvil --host 0.0.0.0 --chain-id 31337 --block-time 1
FROM runtime AS anvil
COPY --from=anvil-fetch --chown=root:root /opt/anvil/bin/anvil /usr/local/bin/anvil
# --state files go to the working directory, the volume.
WORKDIR /data
VOLUME /data
EXPOSE 8545
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s \
  CMD ["node", "/opt/nym-ts/healthcheck.mjs", "http://127.0.0.1:8545", "eth_chainId"]
ENTRYPOINT ["anvil"]
CMD ["--host", "0.0.0.0"]

# ---- no target: `docker build .` without --target builds the last stage, this one, which names the targets.
FROM ${NODE_IMAGE} AS no-target
RUN echo "nym-ts: choose an image with --target: validator ethereum-watcher issuer verifier service-provider" \
      "directory mixnode gateway client localnet anvil (docs/docker.md)" >&2 \
 && exit 1
