#!/usr/bin/env node
import { exitUnlessSupportedNode } from "@nym-ts/common/startup";
import { reexecWithMallocTuning } from "@nym-ts/mixnet-node/malloc-tuning";

exitUnlessSupportedNode("nym-gateway");
// First, before the daemon's modules load: may replace this process with one whose allocator returns freed
// buffers to the system (see malloc-tuning.ts; NYM_MALLOC_TUNING=off to skip).
reexecWithMallocTuning();
const { runDaemonMain } = await import("@nym-ts/common");
const { initKeysCommand } = await import("@nym-ts/mixnet-node");
const { GatewayConfig } = await import("./config.js");
const { createGateway, GATEWAY_VERSION } = await import("./gateway.js");

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
