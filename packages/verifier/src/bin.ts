#!/usr/bin/env node
import { daemonVersion, packageVersion, runDaemonMain } from "@nym-ts/common";
import { VerifierConfig } from "./config.js";
import { createVerifierDaemon, ENV_PREFIX, initCommand } from "./daemon.js";

/**
 * nym-verifier [run|init] --config verifier.toml [--chain.rpcUrl http://validator:26657] [--validate-only]
 * Environment: NYM_VERIFIER_CHAIN__RPC_URL=... and so on (defaults < file < environment < flags). See docs/verifier.md.
 */
await runDaemonMain({
  name: "nym-verifier",
  envPrefix: ENV_PREFIX,
  schema: VerifierConfig,
  create: createVerifierDaemon,
  version: daemonVersion(packageVersion(import.meta.url)),
  runNeeds: "dataDir (with chain.key), chain.rpcUrl",
  about: "Checks the credential proofs service providers deposit on the Nym chain and votes valid or invalid.",
  commands: { init: initCommand },
});
