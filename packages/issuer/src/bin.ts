#!/usr/bin/env node
import { daemonVersion, packageVersion, runDaemonMain } from "@nym-ts/common";
import { dealCommand, initCommand } from "./commands.js";
import { IssuerConfig } from "./config.js";
import { createIssuer } from "./issuer.js";

/**
 * nym-issuer [run|init|deal] --config issuer.toml [--chain.rpcUrl http://validator:26657] [--validate-only]
 * Environment: NYM_ISSUER_CHAIN__RPC_URL=... and so on (defaults < file < environment < flags). See docs/issuer.md.
 */
await runDaemonMain({
  name: "nym-issuer",
  envPrefix: "NYM_ISSUER_",
  schema: IssuerConfig,
  create: createIssuer,
  version: daemonVersion(packageVersion(import.meta.url)),
  runNeeds: "dataDir (with the key files), chain.rpcUrl",
  commands: { init: initCommand, deal: dealCommand },
});
