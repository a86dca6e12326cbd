#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { createWatcherDaemon, DaemonConfigSchema } from "./daemon.js";
import { initCommand } from "./init.js";
import { WATCHER_VERSION } from "./watcher.js";

/**
 * nym-ethereum-watcher init --chain.keyFile FILE (prints the address genesis lists), then
 * nym-ethereum-watcher --config watcher.toml [--ethereum.confirmations 12] [--validate-only]
 * Environment: NYM_ETHEREUM_WATCHER_CHAIN__RPC_URL=http://validator:26657 and so on
 * (defaults < file < environment < flags); `--help` lists every key. See docs/ethereum-watcher.md.
 */
await runDaemonMain({
  name: "nym-ethereum-watcher",
  about: "Watches transfers of the NYM token to the pipe account on Ethereum and posts them to the Nym chain.",
  envPrefix: "NYM_ETHEREUM_WATCHER_",
  schema: DaemonConfigSchema,
  version: WATCHER_VERSION,
  create: createWatcherDaemon,
  commands: { init: initCommand },
});
