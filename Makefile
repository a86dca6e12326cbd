# Every target depends on `bootstrap`, which puts the pinned tools (Node 24 when the machine's node is older, pnpm,
# CometBFT, anvil) first on PATH from .tools/bin. Downloads are cached in ~/.cache/nym-ts across clones.
SHELL := /usr/bin/env bash
export PATH := $(CURDIR)/.tools/bin:$(PATH)
export NYM_TS_CACHE ?= $(HOME)/.cache/nym-ts

.PHONY: bootstrap install build lint typecheck test test-docker bench clean localnet localnet-down

bootstrap:
	@bash scripts/bootstrap.sh

install: bootstrap
	@pnpm install --frozen-lockfile --prefer-offline --reporter=append-only

build: install
	pnpm build

lint: install
	pnpm lint
	pnpm lint:layers

typecheck: install
	pnpm typecheck

## make test: lint, the layer rule (docs/development.md, "Layers"), a fresh clone's `pnpm install` without warnings
## (scripts/check-install.mjs), type-check, then every package's tests (unit, vectors and e2e against real
## CometBFT/anvil/sockets)
test: install
	pnpm lint
	pnpm lint:layers
	pnpm check:install
	pnpm typecheck
	pnpm test

## make test-docker: the localnet in Docker for real (docs/docker.md): installs docker.io and Compose v2 when missing,
## starts a dockerd when none runs (and stops it), builds stand-ins for the base images and every image (Dockerfile),
## runs docker-compose.yml on host networking until every service is healthy, the client's demo, then down -v
test-docker: install
	bash scripts/docker-test.sh

## make bench: every package's benchmark, one package at a time
bench: install
	pnpm build
	pnpm bench

## make localnet: the whole network on this machine (docs/localnet.md): builds the daemons (tsc -b, incremental),
## `nym-localnet build` when build/localnet is missing, `up` (every service healthy), then nymclient's demo against
## it; the network keeps running (make localnet-down stops it). Without a build, everything runs from the sources.
LOCALNET_PACKAGES := $(wildcard $(foreach p,localnet chain directory ethereum-watcher issuer verifier service-provider \
	mixnode gateway client,packages/$(p)/tsconfig.json))
LOCALNET = node $$(test -f packages/localnet/dist/bin.js && echo packages/localnet/dist/bin.js \
	|| echo --conditions=@nym-ts/source --import tsx packages/localnet/src/bin.ts)
localnet: install
	@pnpm exec tsc -b $(LOCALNET_PACKAGES) || echo "make localnet: the build failed (above); each daemon runs from its last build, else from its sources"
	@test -f build/localnet/localnet.json || $(LOCALNET) build
	@$(LOCALNET) up
	@$(LOCALNET) demo

localnet-down: bootstrap
	@if [ -f build/localnet/localnet.json ]; then $(LOCALNET) down; else echo "no localnet in build/localnet"; fi

clean:
	rm -rf packages/*/dist packages/*/tsconfig.tsbuildinfo
