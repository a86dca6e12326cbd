#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import { createLogger, isNymError, loadConfig, parseFlags, runService } from "@nym-ts/common";
import { initNodeKeys } from "@nym-ts/mixnet";
import { GatewayConfig } from "./config.js";
import { createGateway } from "./gateway.js";

const USAGE = `usage: nym-gateway <command> [--config file.toml] [--section.key value ...]

commands:
  init --storage.dataDir DIR    write identity.key and sphinx.key (0600) into DIR and print the public keys
  run                           run the gateway (needs directory.url, storage.dataDir)
  --validate-only               check the configuration and exit`;

async function main(): Promise<void> {
  const { flags, configFile, validateOnly, rest } = parseFlags(process.argv.slice(2));
  const command = rest[0] ?? "run";
  if (command === "help" || flags.help !== undefined) {
    console.log(USAGE);
    return;
  }
  if (command === "init") {
    const dir = flags["storage.dataDir"];
    if (!dir) throw new Error("init needs --storage.dataDir DIR");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    console.log(JSON.stringify(initNodeKeys(dir)));
    return;
  }
  if (command !== "run") {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig({ schema: GatewayConfig, file: configFile, envPrefix: "NYM_GATEWAY_", flags });
  if (validateOnly) {
    console.log("configuration is valid");
    return;
  }
  const log = createLogger({ name: "nym-gateway", level: config.log.level });
  await runService(createGateway(config, { log }), { log });
}

main().catch((error: unknown) => {
  console.error(isNymError(error) ? `${error.code}: ${error.message}` : error);
  process.exit(1);
});
