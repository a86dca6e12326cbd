# Every target depends on `bootstrap`, which puts the pinned tools (Node 24 when the machine's node is older, pnpm,
# CometBFT, anvil) first on PATH from .tools/bin. Downloads are cached in ~/.cache/nym-ts across clones.
SHELL := /usr/bin/env bash
export PATH := $(CURDIR)/.tools/bin:$(PATH)
export NYM_TS_CACHE ?= $(HOME)/.cache/nym-ts

.PHONY: bootstrap install build lint typecheck test bench clean

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

## make test: lint, the layer rule (docs/development.md, "Layers"), type-check, then every package's tests (unit,
## vectors and e2e against real CometBFT/anvil/sockets)
test: install
	pnpm lint
	pnpm lint:layers
	pnpm typecheck
	pnpm test

## make bench: every package's benchmark, one package at a time
bench: install
	pnpm build
	pnpm bench

clean:
	rm -rf packages/*/dist packages/*/tsconfig.tsbuildinfo
