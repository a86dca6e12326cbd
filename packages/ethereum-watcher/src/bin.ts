#!/usr/bin/env node
import { createLogger, loadConfig, parseFlags, runService } from "@nym-ts/common";
import { createWatcherDaemon, DaemonConfigSchema } from "./daemon.js";

const VERSION = process.env.NYM_VERSION ?? "0.1.0";

async function main(): Promise<void> {
  const { flags, configFile, validateOnly } = parseFlags(process.argv.slice(2));
  const config = loadConfig({
    schema: DaemonConfigSchema,
    file: configFile,
    envPrefix: "NYM_ETHEREUM_WATCHER_",
    flags,
  });
  if (validateOnly) {
    console.log("configuration is valid");
    return;
  }
  const log = createLogger({ name: "nym-ethereum-watcher", level: config.log.level, base: { version: VERSION } });
  await runService(createWatcherDaemon(config, { log, version: VERSION }), { log });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
