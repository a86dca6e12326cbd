#!/usr/bin/env node
import { createLogger, isNymError, loadConfig, parseFlags, runService } from "@nym-ts/common";
import { createWatcherDaemon, type DaemonConfig, DaemonConfigSchema } from "./daemon.js";

/** The package version, plus the commit the image was built from (`NYM_BUILD_COMMIT`, set by the Dockerfile). */
const VERSION = process.env.NYM_BUILD_COMMIT ? `0.1.0+${process.env.NYM_BUILD_COMMIT}` : "0.1.0";

/**
 * nym-ethereum-watcher --config watcher.toml [--ethereum.confirmations 12] [--validate-only]
 * Environment: NYM_ETHEREUM_WATCHER_CHAIN__RPC_URL=http://validator:26657 and so on
 * (defaults < file < environment < flags). See docs/ethereum-watcher.md.
 */
async function main(): Promise<void> {
  const { flags, configFile, validateOnly } = parseFlags(process.argv.slice(2));
  let config: DaemonConfig;
  try {
    config = loadConfig({ schema: DaemonConfigSchema, file: configFile, envPrefix: "NYM_ETHEREUM_WATCHER_", flags });
  } catch (error) {
    if (isNymError(error)) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  if (validateOnly) {
    console.log("configuration is valid");
    return;
  }
  const log = createLogger({ name: "nym-ethereum-watcher", level: config.log.level, base: { version: VERSION } });
  await runService(createWatcherDaemon(config, { log, version: VERSION }), { log });
}

void main();
