#!/usr/bin/env node
import { runDaemonMain } from "@nym-ts/common";
import { initKeysCommand } from "@nym-ts/mixnet-node";
import { MixnodeConfig } from "./config.js";
import { createMixnode, MIXNODE_VERSION } from "./mixnode.js";

/**
 * nym-mixnode init --storage.dataDir DIR, then nym-mixnode [--config file.toml] [--section.key value ...];
 * `--help` lists every key and its NYM_MIXNODE_* variable.
 */
await runDaemonMain({
  name: "nym-mixnode",
  about: "A Loopix mix node: Sphinx processing, replay protection, exponential delays, loop cover traffic.",
  envPrefix: "NYM_MIXNODE_",
  schema: MixnodeConfig,
  version: MIXNODE_VERSION,
  create: createMixnode,
  runNeeds: "mixnode.layer, directory.url, storage.dataDir",
  commands: { init: initKeysCommand },
});
