#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { LEDGER_VERSION } from "./abci-app.js";
import { createValidator, validatorConfigSchema } from "./validator.js";

/**
 * nym-validator [--config file.toml] [--abci.port 26658 | --abci.socket PATH] --data.dir DIR [--validate-only]
 * Environment: NYM_VALIDATOR_DATA__DIR=/data/app and so on (defaults < file < environment < flags); `--help` lists
 * every key. CometBFT runs as its own process with proxy_app pointing at the ABCI address.
 */
await runDaemonMain({
  name: "nym-validator",
  about: "The Nym ledger: the ABCI application one CometBFT node connects to (see docs/validator.md).",
  envPrefix: "NYM_VALIDATOR_",
  schema: validatorConfigSchema,
  version: LEDGER_VERSION,
  create: (config, { log }) => createValidator(config, { log }),
});
