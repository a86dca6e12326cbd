#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { DirectoryConfig } from "./config.js";
import { createDirectory, DIRECTORY_VERSION } from "./directory.js";

/**
 * nym-directory [--config file.toml] [--http.port 8080] [--storage.path data/directory.sqlite] [--validate-only]
 * Environment: NYM_DIRECTORY_HTTP__PORT=8080 and so on (defaults < file < environment < flags); `--help` lists every
 * key.
 */
await runDaemonMain({
  name: "nym-directory",
  about:
    "The Nym directory: signed node presence renewed within a TTL, node metrics, the topology; REST, Swagger at /docs.",
  envPrefix: "NYM_DIRECTORY_",
  schema: DirectoryConfig,
  version: DIRECTORY_VERSION,
  create: createDirectory,
});
