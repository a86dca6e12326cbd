#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { createWatcherDaemon, DaemonConfigSchema } from "./daemon.js";

/**
 * nym-ethereum-watcher --config watcher.toml [--ethereum.confirmations 12] [--validate-only]
 * Environment: NYM_ETHEREUM_WATCHER_CHAIN__RPC_URL=http://validator:26657 and so on
 * (defaults < file < environment < flags). See docs/ethereum-watcher.md.
 */
await runDaemonMain({
  name: "nym-ethereum-watcher",
  envPrefix: "NYM_ETHEREUM_WATCHER_",
  schema: DaemonConfigSchema,
  create: createWatcherDaemon,
});
