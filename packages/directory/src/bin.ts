#!/usr/bin/env node
import { exitUnlessSupportedNode } from "@nym-ts/common/startup";

// Before the daemon's modules load (node:sqlite among them): a clear message on a Node.js that is too old.
exitUnlessSupportedNode("nym-directory");
const { runDaemonMain } = await import("@nym-ts/common");
const { DirectoryConfig } = await import("./config.js");
const { createDirectory, DIRECTORY_VERSION } = await import("./directory.js");

/**
 * nym-directory [--config file.toml] [--http.port 8080] [--storage.path FILE] [--validate-only]
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
