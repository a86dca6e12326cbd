#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { DirectoryConfig } from "./config.js";
import { createDirectory } from "./directory.js";

/**
 * nym-directory [--config file.toml] [--http.port 8080] [--storage.path data/directory.sqlite] [--validate-only]
 * Environment: NYM_DIRECTORY_HTTP__PORT=8080 and so on (defaults < file < environment < flags).
 */
await runDaemonMain({
  name: "nym-directory",
  envPrefix: "NYM_DIRECTORY_",
  schema: DirectoryConfig,
  create: createDirectory,
});
