#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import { runDaemonMain } from "@nym-ts/common";
import { initNodeKeys } from "@nym-ts/mixnet";
import { GatewayConfig } from "./config.js";
import { createGateway } from "./gateway.js";

await runDaemonMain({
  name: "nym-gateway",
  envPrefix: "NYM_GATEWAY_",
  schema: GatewayConfig,
  create: createGateway,
  runNeeds: "directory.url, storage.dataDir",
  commands: {
    init: {
      describe: "write identity.key and sphinx.key (0600) into --storage.dataDir and print the public keys",
      run({ flags }) {
        const dir = flags["storage.dataDir"];
        if (!dir) throw new Error("init needs --storage.dataDir DIR");
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        console.log(JSON.stringify(initNodeKeys(dir)));
      },
    },
  },
});
