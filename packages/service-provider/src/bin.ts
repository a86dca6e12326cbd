#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { ServiceProviderConfigSchema } from "./config.js";
import { initKeysCommand } from "./keys.js";
import { createServiceProvider, SERVICE_PROVIDER_VERSION } from "./service-provider.js";

/**
 * nym-service-provider init --dataDir DIR (prints the chain address spends must be bound to), then
 * nym-service-provider [--config sp.toml] [--section.key value ...]; `--help` lists every key and its
 * NYM_SERVICE_PROVIDER_* variable. See docs/service-provider.md.
 */
await runDaemonMain({
  name: "nym-service-provider",
  about:
    "The demo service provider: takes credential spends over HTTP (and the mixnet), verifies them, deposits them " +
    "on the Nym chain and answers once the verifiers decided.",
  envPrefix: "NYM_SERVICE_PROVIDER_",
  schema: ServiceProviderConfigSchema,
  version: SERVICE_PROVIDER_VERSION,
  create: createServiceProvider,
  commands: { init: initKeysCommand },
});
