#!/usr/bin/env node
import { createLogger, isNymError, loadConfig, parseFlags, runService } from "@nym-ts/common";
import { DirectoryConfig } from "./config.js";
import { createDirectory } from "./directory.js";

/**
 * nym-directory [--config file.toml] [--http.port 8080] [--storage.path data/directory.sqlite] [--validate-only]
 * Environment: NYM_DIRECTORY_HTTP__PORT=8080 and so on (defaults < file < environment < flags).
 */
async function main(): Promise<void> {
  const { flags, configFile, validateOnly } = parseFlags(process.argv.slice(2));
  let config: DirectoryConfig;
  try {
    config = loadConfig({ schema: DirectoryConfig, file: configFile, envPrefix: "NYM_DIRECTORY_", flags });
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
  const log = createLogger({ name: "nym-directory", level: config.log.level });
  await runService(createDirectory(config, { log }), { log });
}

void main();
