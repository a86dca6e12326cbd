#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { initKeysCommand } from "@nym-ts/mixnet-node";
import { GatewayConfig } from "./config.js";
import { createGateway, GATEWAY_VERSION } from "./gateway.js";

/**
 * nym-gateway init --storage.dataDir DIR, then nym-gateway [--config file.toml] [--section.key value ...];
 * `--help` lists every key and its NYM_GATEWAY_* variable.
 */
await runDaemonMain({
  name: "nym-gateway",
  about: "A Nym gateway: the mixnet's entry and exit, holding clients' mailboxes (see docs/mixnet.md).",
  envPrefix: "NYM_GATEWAY_",
  schema: GatewayConfig,
  version: GATEWAY_VERSION,
  create: createGateway,
  runNeeds: "directory.url, storage.dataDir",
  commands: { init: initKeysCommand },
});
