#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { initKeysCommand } from "@nym-ts/mixnet-node";
import { GatewayConfig } from "./config.js";
import { createGateway } from "./gateway.js";

await runDaemonMain({
  name: "nym-gateway",
  envPrefix: "NYM_GATEWAY_",
  schema: GatewayConfig,
  create: createGateway,
  runNeeds: "directory.url, storage.dataDir",
  commands: { init: initKeysCommand },
});
